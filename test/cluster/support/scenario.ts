/**
 * What the cluster test drives: `node cli.js` runs as child processes against one CouchDB
 * and the simulator, the stored data in a form two runs can be compared in, and a watcher
 * that asks the website's pages without pause and records every answer.
 */
import { spawn } from 'node:child_process';
import type { ServerScope } from 'nano';
import { SettingsRepository } from '../../../couch/settings.js';
import type { DatabaseNames } from '../../../couch/setup.js';
import type { StoredWorkflow } from '../../../workflow/documents.js';
import { WorkflowRepository } from '../../../couch/workflows.js';
import type { WorkflowIndex } from '../../../server/read-model/workflow-index.js';
import { summarizeWorkflow } from '../../../server/read-model/workflow-summary.js';
import { CLI, type CliResult } from '../../ops/support/cli.js';

export interface CouchEnv {
  url: string;
  authHeader: string;
  failoverUrls?: readonly string[];
}

/** The environment of a CLI child: this CouchDB, these databases, the simulator, quiet logs. */
export function cliEnv(
  couch: CouchEnv,
  names: DatabaseNames,
  simEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(COUCHDB_|DB_URL$|STATS_DB_AUTH_HEADER)/.test(name)) delete env[name];
  }
  return {
    ...env,
    ...simEnv,
    COUCHDB_URL: couch.url,
    STATS_DB_AUTH_HEADER: couch.authHeader,
    ...(couch.failoverUrls ? { COUCHDB_FAILOVER_URLS: couch.failoverUrls.join(',') } : {}),
    REQUESTS_DB: names.requests,
    SETTINGS_DB: names.settings,
    // A run that died with its node leaves its lock behind: let it expire soon.
    UPDATE_LOCK_TTL_S: '10',
    LOG_LEVEL: 'warn',
  };
}

export interface RunningCli {
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
  running(): boolean;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = true;
      resolve({ code, stdout, stderr });
    });
  });
  return { done, running: () => !exited };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}

/** An update run; one that finds the lock of a run that died with its node waits for it to expire. */
export async function runUpdate(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await runCli(['--action', 'update'], env);
    if (result.code !== 3 || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export interface Comparable {
  docs: Record<string, unknown>;
  sequence: unknown;
  failed: string[];
  pending: unknown;
}

/** What two runs over the same world must agree on: everything but revisions and write times. */
export async function comparableDatabase(
  server: ServerScope,
  names: DatabaseNames,
): Promise<Comparable> {
  const workflows = new WorkflowRepository(server, names.requests);
  const docs: Record<string, unknown> = {};
  for await (const page of workflows.scan(500)) {
    for (const doc of page) docs[doc._id] = withoutWriteTimes(doc);
  }
  const settings = await new SettingsRepository(server, names.settings).get();
  return {
    docs,
    sequence: settings.last_reqmgr_sequence,
    failed: settings.failed_workflows,
    pending: settings.pending_callbacks,
  };
}

function withoutWriteTimes(doc: StoredWorkflow): unknown {
  const { _rev: _r, LastUpdate: _l, EventNumberHistory, ...rest } = doc;
  return { ...rest, EventNumberHistory: (EventNumberHistory ?? []).map((entry) => entry.Datasets) };
}

/**
 * Waits until the website's index holds exactly what the database holds (every workflow,
 * its summary as of its current document, nothing else); returns the names that still
 * differ when `timeoutMs` runs out.
 */
export async function indexMatchesDatabase(
  index: WorkflowIndex,
  server: ServerScope,
  names: DatabaseNames,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const expected = new Map<string, { revision: string | undefined; summary: string }>();
    for await (const page of new WorkflowRepository(server, names.requests).scan(500)) {
      for (const doc of page) {
        const summary = summarizeWorkflow(doc);
        if (summary)
          expected.set(summary.name, { revision: doc._rev, summary: JSON.stringify(summary) });
      }
    }
    const problems = [...expected]
      .filter(([name, { revision, summary }]) => {
        const indexed = index.find(name);
        return (
          indexed === undefined ||
          indexed.revision !== revision ||
          JSON.stringify(indexed.summary()) !== summary
        );
      })
      .map(([name]) => `${name}: ${index.find(name) ? 'stale' : 'missing'}`);
    for (const { name } of index.slice(0, index.size)) {
      if (!expected.has(name)) problems.push(`${name}: not in the database`);
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface PageAnswer {
  path: string;
  status: number;
  /** Milliseconds since the watcher started. */
  at: number;
  /** The fewest cluster nodes up while the request ran. */
  nodesUp: number;
  /** Whether the node COUCHDB_URL names was down (stopped, not starting) all the while. */
  namedNodeDown: boolean;
  error?: string;
}

/** Asks the website's pages in turn, without pause, recording each answer with the cluster's state. */
export class PageWatcher {
  readonly answers: PageAnswer[] = [];
  private running = true;
  private readonly loop: Promise<void>;
  private readonly started = performance.now();

  constructor(
    private readonly origin: string,
    private readonly paths: readonly string[],
    private readonly nodesUp: () => number,
    private readonly namedNodeDown: () => boolean,
  ) {
    this.loop = this.watch();
  }

  /** Milliseconds since the watcher started, as `PageAnswer.at` counts them. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  async stop(): Promise<PageAnswer[]> {
    this.running = false;
    await this.loop;
    return this.answers;
  }

  private async watch(): Promise<void> {
    for (let n = 0; this.running; n++) {
      const path = this.paths[n % this.paths.length] as string;
      const nodesBefore = this.nodesUp();
      const namedBefore = this.namedNodeDown();
      let status = 0;
      let error: string | undefined;
      try {
        const response = await fetch(`${this.origin}${path}`, {
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (err) {
        error = (err as Error).message;
      }
      this.answers.push({
        path,
        status,
        at: performance.now() - this.started,
        nodesUp: Math.min(nodesBefore, this.nodesUp()),
        namedNodeDown: namedBefore && this.namedNodeDown(),
        ...(error === undefined ? {} : { error }),
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** A page answer that is an error: no answer, or a 4xx/5xx. */
export function failed(answer: PageAnswer): boolean {
  return answer.status === 0 || answer.status >= 400;
}
