/** autocannon on one kind of request: throughput and latency percentiles. */
import { createRequire } from 'node:module';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  headers: Record<string, string>;
  requests: Array<{
    method: string;
    setupRequest: (request: { path: string }) => { path: string };
  }>;
}

interface Histogram {
  p50: number;
  p99: number;
  max: number;
  total: number;
}

interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

export interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** Connection errors, timeouts and non-2xx answers. */
  failures: number;
  /** Mean size of an answer. */
  kilobytesPerResponse: number;
  /** CPU time autocannon took (user + system) per second of load, in % of one core. */
  loadGeneratorCpuPercent: number;
}

export interface LoadSpec {
  origin: string;
  /** One path, or several taken in turn (each connection cycles through them). */
  paths: readonly string[];
  connections: number;
  durationSeconds: number;
  /** Sent with every request, e.g. a browser's Accept-Encoding. */
  headers?: Record<string, string>;
}

export async function runLoad(spec: LoadSpec): Promise<Load> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: 30,
    headers: spec.headers ?? {},
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: spec.paths[next++ % spec.paths.length] as string,
        }),
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requestsPerSecond: result.requests.total / spec.durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
    kilobytesPerResponse: result.throughput.total / Math.max(1, result.requests.total) / 1024,
    loadGeneratorCpuPercent: (cpu.user + cpu.system) / 1000 / (spec.durationSeconds * 10),
  };
}
