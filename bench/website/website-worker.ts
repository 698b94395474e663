/**
 * Child process of the website benchmark: the website (server/http/website.ts) on a free
 * port, reading CouchDB without write credentials, with its CouchDB requests counted.
 * It answers `start` as soon as it listens: the parent times how long pages take to be
 * right from there (the index loads, or is restored from its snapshot, in the background).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { CouchTarget } from '../../couch/connection.js';
import type { DatabaseNames } from '../../couch/setup.js';
import { createLogger } from '../../lib/logger.js';
import type { MemoryUse } from '../../server/http/app.js';
import { startWebsite } from '../../compose.js';
import type { RunningWebsite } from '../../server/http/website.js';
import { HttpTraffic } from '../support/http-traffic.js';
import { answerParent } from '../support/worker-side.js';
import { serveStaticAnswer, type StaticAnswer } from './static-answer.js';

export const PREFIX = '/stats';

export interface WebsiteWorkerInput {
  reader: CouchTarget;
  databases: DatabaseNames;
  /** Where the index snapshot is kept (the same folder across the cold and the warm start). */
  snapshotDir: string;
}

export interface WebsiteStarted {
  origin: string;
  /** Milliseconds from the worker's first line of code to listening. */
  listeningMs: number;
}

export interface WebsiteUsage {
  couchRequests: Record<string, number>;
  /** CPU time (user + system) since the last call. */
  cpuMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** Buffers outside the JavaScript heap (the index's records and lists, cached pages). */
  arrayBuffersMb: number;
  memory: MemoryUse | undefined;
  /** How the index got its content: from a snapshot, or by reading every document. */
  loadedFrom: string | undefined;
}

let website: RunningWebsite | undefined;
let control: StaticAnswer | undefined;
let traffic: HttpTraffic | undefined;
let cpuSince = process.cpuUsage();

async function start(input: WebsiteWorkerInput): Promise<WebsiteStarted> {
  traffic = new HttpTraffic([input.reader.url], 'couch');
  website = await startWebsite({
    reader: input.reader,
    databases: input.databases,
    host: '127.0.0.1',
    port: 0,
    prefix: PREFIX,
    updateToken: undefined,
    snapshotDir: input.snapshotDir,
    logger: createLogger({ level: 'error', name: 'bench-website' }),
  });
  return { origin: website.origin, listeningMs: performance.now() };
}

/** CouchDB requests and CPU time since the last call, and memory now. */
async function usage(): Promise<WebsiteUsage> {
  const couchRequests = traffic?.snapshot() ?? {};
  traffic?.reset();
  const cpu = process.cpuUsage(cpuSince);
  cpuSince = process.cpuUsage();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return {
    couchRequests,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: rss / 2 ** 20,
    heapUsedMb: heapUsed / 2 ** 20,
    arrayBuffersMb: arrayBuffers / 2 ** 20,
    memory: website?.memoryUse(),
    loadedFrom: website?.index.status().loadedFrom,
  };
}

/**
 * Serves the bytes of one of the website's pages from a bare HTTP server (gzip-compressed as
 * a browser gets it when `gzip`); answers its origin.
 */
async function serveCopy({ path, gzip }: { path: string; gzip: boolean }): Promise<string> {
  await control?.close();
  const body = gzip ? await rawGzipAnswer(path) : await plainAnswer(path);
  control = await serveStaticAnswer(body, gzip ? { 'content-encoding': 'gzip' } : {});
  return control.origin;
}

async function plainAnswer(path: string): Promise<Buffer> {
  const response = await fetch(`${website?.origin}${path}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The compressed bytes as sent (fetch would decompress them). */
async function rawGzipAnswer(path: string): Promise<Buffer> {
  const [response] = (await once(
    http.get(`${website?.origin}${path}`, { headers: { 'accept-encoding': 'gzip' } }),
    'response',
  )) as [http.IncomingMessage];
  if (response.headers['content-encoding'] !== 'gzip')
    throw new Error(`${path} was not answered gzip-compressed`);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

answerParent({ start, usage, serveCopy }, async () => {
  await control?.close();
  await website?.close();
  traffic?.close();
});
