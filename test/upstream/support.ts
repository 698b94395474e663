/** A client set pointed at a simulator, with short timeouts and retry delays, logs captured. */
import { loadConfig, type Config } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import type { Simulator } from '../../sim/index.js';
import { createUpstream, type Upstream } from '../../updater/upstream/index.js';

export interface TestClient {
  upstream: Upstream;
  config: Config;
  /** Every JSON log line the clients wrote. */
  logs: string[];
}

export interface TestClientOptions {
  timeoutMs?: number;
  retries?: number;
  /** Extra or replaced environment variables. */
  env?: Record<string, string | undefined>;
}

export function clientFor(sim: Simulator, options: TestClientOptions = {}): TestClient {
  const config = loadConfig({
    ...sim.env,
    UPSTREAM_RETRIES: String(options.retries ?? 3),
    ...options.env,
  });
  const timeout = options.timeoutMs ?? 2000;
  config.upstream.timeoutMs = { default: timeout, wmstats: timeout, callback: timeout };
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const upstream = createUpstream(config.upstream, logger, {
    callbacks: config.callbacks,
    retryDelays: { baseMs: 5, maxMs: 20 },
  });
  return { upstream, config, logs };
}
