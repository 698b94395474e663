/**
 * Apache CouchDB 3.4 instances for the cluster test, started and stopped with the script
 * of the release that sits beside the checkout (`../shared/couchdb/couchdb`, or the file
 * APACHE_COUCHDB_SCRIPT names): one node or a 3-node cluster (q=8, n=3) in a temporary
 * folder, on free loopback ports, its nodes stopped and started one by one.
 *
 * The script names its nodes couchdb1@127.0.0.1 … for every instance, and Erlang node
 * names are unique per port mapper (epmd): each instance here gets its own port mapper
 * (ERL_EPMD_PORT), so that it runs beside any other instance on the machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
    private readonly epmdPort: number,
  ) {
    this.states = Array.from({ length: nodeCount }, () => 'up');
  }

  /** Starts `nodes` nodes (1 or 3) on free ports; resolves once every node answers. */
  static async start(nodes: 1 | 3): Promise<ApacheCouchDB> {
    const script = couchdbScript();
    const port = await freePortBlock(nodes);
    const dir = mkdtempSync(path.join(os.tmpdir(), `stats2-couchdb-${nodes}n-`));
    const couchdb = new ApacheCouchDB(script, dir, port, nodes, 'admin:admin', port + nodes);
    try {
      await couchdb.runScript(
        ['start', '--port', String(port), '--nodes', String(nodes), '--admin', couchdb.admin],
        180_000,
      );
    } catch (err) {
      const clash = nameClash(dir, nodes);
      await couchdb.destroy();
      throw new Error(
        clash ??
          `starting Apache CouchDB (${nodes} node${nodes === 1 ? '' : 's'}, port ${port}) failed: ${(err as Error).message}`,
      );
    }
    return couchdb;
  }

  /** Runs the script on this instance's folder, with its own port mapper. */
  private async runScript(args: string[], timeout = 120_000): Promise<void> {
    const [command, ...rest] = args;
    await run(this.script, [command as string, path.join(this.dir, 'c'), ...rest], {
      timeout,
      env: { ...process.env, ERL_EPMD_PORT: String(this.epmdPort) },
    });
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
    await this.runScript(['stop', '--node', String(node)]);
    this.states[node - 1] = 'down';
  }

  /** Starts a stopped node again (waits until it answers). */
  async startNode(node: number): Promise<void> {
    this.states[node - 1] = 'starting';
    await this.runScript(['start-node', String(node)]);
    this.states[node - 1] = 'up';
  }

  /** Stops every node and this instance's port mapper, and removes the data. */
  async destroy(): Promise<void> {
    await this.runScript(['stop']).catch(() => undefined);
    const epmd = epmdOf(path.join(this.dir, 'c', 'release'));
    if (epmd !== undefined)
      await run(epmd, ['-port', String(this.epmdPort), '-kill']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The release's port mapper program. */
function epmdOf(release: string): string | undefined {
  if (!existsSync(release)) return undefined;
  const erts = readdirSync(release).find((name) => name.startsWith('erts-'));
  return erts === undefined ? undefined : path.join(release, erts, 'bin', 'epmd');
}

/** A node name taken on our own port mapper means a node of ours was left running. */
function nameClash(dir: string, nodes: number): string | undefined {
  for (let n = 1; n <= nodes; n++) {
    const log = path.join(dir, 'c', `node${n}`, 'stdout.log');
    if (
      existsSync(log) &&
      /seems to be in use by another Erlang node/.test(readFileSync(log, 'utf8'))
    ) {
      return `Apache CouchDB node couchdb${n}@127.0.0.1 cannot start: its name is taken (see ${log})`;
    }
  }
  return undefined;
}

/**
 * A port P such that P … P+n-1 (HTTP), P+n (our port mapper) and P+10001 … P+10000+n
 * (the script's Erlang distribution ports) are all free.
 */
async function freePortBlock(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [
      base + nodes,
      ...Array.from({ length: nodes }, (_, i) => [base + i, base + 10_001 + i]).flat(),
    ];
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
