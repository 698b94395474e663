/**
 * Child process of the website benchmark: the website (server/website.ts) on a free
 * port, reading CouchDB without write credentials, with its CouchDB requests counted.
 */
import type { CouchTarget } from '../../couch/connection.js';
import type { DatabaseNames } from '../../couch/setup.js';
import { createLogger } from '../../lib/logger.js';
import { startWebsite, type RunningWebsite } from '../../server/website.js';
import { HttpTraffic } from '../support/http-traffic.js';
import { answerParent } from '../support/worker-side.js';
import { serveStaticAnswer, type StaticAnswer } from './static-answer.js';

export const PREFIX = '/stats';

export interface WebsiteWorkerInput {
  reader: CouchTarget;
  databases: DatabaseNames;
}

export interface WebsiteStarted {
  origin: string;
  /** Milliseconds until the workflow index had read the whole database. */
  readyMs: number;
  workflows: number;
}

export interface WebsiteUsage {
  couchRequests: Record<string, number>;
  /** CPU time (user + system) since the last call. */
  cpuMs: number;
  rssMb: number;
  heapUsedMb: number;
}

let website: RunningWebsite | undefined;
let control: StaticAnswer | undefined;
let traffic: HttpTraffic | undefined;
let cpuSince = process.cpuUsage();

async function start(input: WebsiteWorkerInput): Promise<WebsiteStarted> {
  traffic = new HttpTraffic([input.reader.url], 'couch');
  const started = performance.now();
  website = await startWebsite({
    reader: input.reader,
    databases: input.databases,
    host: '127.0.0.1',
    port: 0,
    prefix: PREFIX,
    updateToken: undefined,
    logger: createLogger({ level: 'error', name: 'bench-website' }),
  });
  await website.ready;
  return {
    origin: website.origin,
    readyMs: performance.now() - started,
    workflows: website.index.size,
  };
}

/** CouchDB requests and CPU time since the last call, and memory now. */
async function usage(): Promise<WebsiteUsage> {
  const couchRequests = traffic?.snapshot() ?? {};
  traffic?.reset();
  const cpu = process.cpuUsage(cpuSince);
  cpuSince = process.cpuUsage();
  const { rss, heapUsed } = process.memoryUsage();
  return {
    couchRequests,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: rss / 2 ** 20,
    heapUsedMb: heapUsed / 2 ** 20,
  };
}

/** Serves the bytes of one of the website's pages from a bare HTTP server; answers its origin. */
async function serveCopy(path: string): Promise<string> {
  const response = await fetch(`${website?.origin}${path}`);
  control = await serveStaticAnswer(Buffer.from(await response.arrayBuffer()));
  return control.origin;
}

answerParent({ start, usage, serveCopy }, async () => {
  await control?.close();
  await website?.close();
  traffic?.close();
});
