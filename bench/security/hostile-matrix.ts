/**
 * Issue 16's matrix as a table: every hostile request of test/support/hostile-couch.ts,
 * sent anonymously, with a wrong password and as the admin to a fresh embedded CouchDB,
 * with its statuses, what it wrote and whether the server still answered.
 *
 *   npm run build && node build/bench/security/hostile-matrix.js [BUILD]
 *
 * BUILD: the `build/` folder whose `couch/embedded.js` starts the server (default: this
 * one), e.g. an older checkout's, for a before/after comparison. A server that died is
 * started again on the same folder before the next request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  answers,
  changes,
  HOSTILE_REQUESTS,
  IDENTITIES,
  resetFixtures,
  runSteps,
  snapshot,
  type MatrixTarget,
} from '../../test/support/hostile-couch.js';

interface Server {
  url: string;
  authHeader: string;
  stop(): Promise<void>;
}
type Start = (options: {
  dir: string;
  port?: number;
  readableDatabases?: string[];
}) => Promise<Server>;

const NAMES = { requests: 'requests', settings: 'settings' };
const THIS_BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const build = path.resolve(process.argv[2] ?? THIS_BUILD);
  const { startEmbeddedCouch } = (await import(
    pathToFileURL(path.join(build, 'couch/embedded.js')).href
  )) as { startEmbeddedCouch: Start };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-hostile-'));
  const start = (port?: number) =>
    startEmbeddedCouch({ dir, port, readableDatabases: [NAMES.requests, NAMES.settings] });
  let server = await start();
  const port = Number(new URL(server.url).port);
  const target: MatrixTarget = {
    url: server.url,
    adminHeader: server.authHeader,
    names: NAMES,
    newDb: 'probe_newdb',
  };
  /** The server answers, or is started again (counted) on the same port. */
  const ensureAnswering = async (): Promise<void> => {
    if (await answers(target.url)) return;
    await server.stop().catch(() => undefined);
    server = await start(port);
    restarts++;
  };
  let restarts = 0;
  let wiped = 0;
  const wipe = async (): Promise<void> => {
    await server.stop().catch(() => undefined);
    rmSync(path.join(dir, 'db'), { recursive: true, force: true });
    wiped++;
  };
  /** The state as the admin reads it; fails when the server did not answer all of it. */
  const state = async (): Promise<Record<string, unknown>> => {
    const read = await snapshot(target);
    if (JSON.stringify(read).includes('"no answer"')) throw new Error('no answer while reading');
    return read;
  };
  /**
   * `task` on an answering server; a server that dies under it is started again and `task`
   * retried, the last time on an empty data folder (an unguarded server may be left unable
   * to survive even the admin's clean-up).
   */
  const onServer = async <T>(what: string, task: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      if (attempt === 3) await wipe();
      await ensureAnswering();
      try {
        return await task();
      } catch (err) {
        if (attempt === 3) throw err;
        console.error(`${what}: ${String(err)}; the server is started again`);
      }
    }
  };
  const rows: string[][] = [['request', 'identity', 'status', 'written', 'server answers after']];
  try {
    let fixture = await onServer('setup', () => resetFixtures(target));
    for (const request of HOSTILE_REQUESTS) {
      for (const identity of IDENTITIES) {
        console.error(`${request.label} as ${identity}`);
        const before = await onServer('snapshot', state);
        const outcome = await runSteps(target, request, fixture, identity);
        await sleep(500); // a crash comes a moment after the answer
        const alive = await answers(target.url);
        const wipedBefore = wiped;
        const written = changes(before, await onServer('snapshot', state));
        const writtenCell =
          wiped > wipedBefore
            ? 'unknown: the server only started again on an emptied data folder'
            : written.length === 0
              ? 'no'
              : `yes: ${written.join(', ')}`;
        rows.push([
          request.label,
          identity,
          outcome.statuses.join(' → '),
          writtenCell,
          alive ? 'yes' : 'NO (died)',
        ]);
        // A server that died may have been left unable to live (e.g. a replication
        // document that kills it at every start): the next request gets a clean folder.
        if (!alive) await wipe();
        if (written.length > 0 || identity === 'admin' || !alive) {
          fixture = await onServer('reset', () => resetFixtures(target));
        }
      }
    }
  } finally {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# hostile requests against the embedded CouchDB of ${build}\n`);
  console.log(markdownTable(rows));
  const body = rows.slice(1);
  const died = body.filter((row) => row[4] !== 'yes').length;
  const writtenByOthers = body.filter(
    (row) => row[1] !== 'admin' && row[3]?.startsWith('yes'),
  ).length;
  console.log(
    `\n${body.length} requests; the server died after ${died} (started again ${restarts} times, ${wiped} of them on an emptied data folder); ${writtenByOthers} anonymous or wrong-password requests wrote something`,
  );
}

function markdownTable(rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const [head, ...body] = rows as [string[], ...string[][]];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
