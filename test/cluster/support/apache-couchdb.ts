/**
 * Apache CouchDB 3.4 instances for the cluster test, started and stopped with the script
 * of the release that sits beside the checkout (`../shared/couchdb/couchdb`, or the file
 * APACHE_COUCHDB_SCRIPT names): one node or a 3-node cluster (q=8, n=3) in a temporary
 * folder, on free loopback ports, its nodes stopped and started one by one.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** build/test/cluster/support → the checkout → the folder beside it. */
const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export function couchdbScript(): string {
  const script =
    process.env.APACHE_COUCHDB_SCRIPT ?? path.join(CHECKOUT, '..', 'shared', 'couchdb', 'couchdb');
  if (!existsSync(script)) {
    throw new Error(
      `the cluster test needs the Apache CouchDB release's start script at ${script} ` +
        '(../shared/couchdb/couchdb beside the checkout); set APACHE_COUCHDB_SCRIPT to use another',
    );
  }
  return script;
}

type NodeState = 'up' | 'stopping' | 'down' | 'starting';

export class ApacheCouchDB {
  private readonly states: NodeState[];

  private constructor(
    private readonly script: string,
    private readonly dir: string,
    readonly port: number,
    readonly nodeCount: number,
    private readonly admin: string,
  ) {
    this.states = Array.from({ length: nodeCount }, () => 'up');
  }

  /** Starts `nodes` nodes (1 or 3) on free ports; resolves once every node answers. */
  static async start(nodes: 1 | 3): Promise<ApacheCouchDB> {
    const script = couchdbScript();
    const port = await freePortBlock(nodes);
    const dir = mkdtempSync(path.join(os.tmpdir(), `stats2-couchdb-${nodes}n-`));
    const admin = 'admin:admin';
    try {
      await run(
        script,
        [
          'start',
          path.join(dir, 'c'),
          '--port',
          String(port),
          '--nodes',
          String(nodes),
          '--admin',
          admin,
        ],
        {
          timeout: 180_000,
        },
      );
    } catch (err) {
      const clash = nameClash(dir, nodes);
      await run(script, ['stop', path.join(dir, 'c')]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        clash ??
          `starting Apache CouchDB (${nodes} node${nodes === 1 ? '' : 's'}, port ${port}) failed: ${(err as Error).message}`,
      );
    }
    return new ApacheCouchDB(script, dir, port, nodes, admin);
  }

  /** Node n's URL (1-based), without credentials. */
  url(node = 1): string {
    return `http://127.0.0.1:${this.port + node - 1}`;
  }

  /** The `Authorization` header of the admin. */
  get authHeader(): string {
    return `Basic ${Buffer.from(this.admin).toString('base64')}`;
  }

  /** Nodes surely up: neither stopped nor on their way down or up. */
  nodesUp(): number {
    return this.states.filter((state) => state === 'up').length;
  }

  /** Whether node n has stopped (its process exited) and is not starting yet. */
  isDown(node: number): boolean {
    return this.states[node - 1] === 'down';
  }

  /** Stops one node (waits until its process has exited). */
  async stopNode(node: number): Promise<void> {
    this.states[node - 1] = 'stopping';
    await run(this.script, ['stop', path.join(this.dir, 'c'), '--node', String(node)], {
      timeout: 120_000,
    });
    this.states[node - 1] = 'down';
  }

  /** Starts a stopped node again (waits until it answers). */
  async startNode(node: number): Promise<void> {
    this.states[node - 1] = 'starting';
    await run(this.script, ['start-node', path.join(this.dir, 'c'), String(node)], {
      timeout: 120_000,
    });
    this.states[node - 1] = 'up';
  }

  /** Stops every node and removes the data. */
  async destroy(): Promise<void> {
    await run(this.script, ['stop', path.join(this.dir, 'c')], { timeout: 120_000 }).catch(
      () => undefined,
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Erlang node names are per machine: another instance of the script's nodes blocks ours. */
function nameClash(dir: string, nodes: number): string | undefined {
  for (let n = 1; n <= nodes; n++) {
    const log = path.join(dir, 'c', `node${n}`, 'stdout.log');
    if (
      existsSync(log) &&
      /seems to be in use by another Erlang node/.test(readFileSync(log, 'utf8'))
    ) {
      return (
        `Apache CouchDB node couchdb${n}@127.0.0.1 cannot start: another CouchDB started by the ` +
        'same script runs on this machine under that name (Erlang node names are per machine); stop it first'
      );
    }
  }
  return undefined;
}

/**
 * A port P such that P … P+n-1 (HTTP) and P+10001 … P+10000+n (the script's Erlang
 * distribution ports) are all free.
 */
async function freePortBlock(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: nodes }, (_, i) => [base + i, base + 10_001 + i]).flat();
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('found no free block of loopback ports for Apache CouchDB');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
