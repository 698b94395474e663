/**
 * The clients of every upstream Stats2 talks to, composed from the configuration: one
 * undici agent per origin, one concurrency limit per upstream, shared retry policy.
 */
import type { CallbackConfig, UpstreamConfig } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { AgentPool, loadTlsCredentials } from './agents.js';
import { DbsClient } from './dbs.js';
import { UpstreamHttp, type RetryPolicy, type UpstreamTarget } from './http.js';
import { Limiter } from './limiter.js';
import { PdmvNotifier } from './pdmv.js';
import { ReqMgrClient } from './reqmgr.js';
import { TokenSource } from './sso.js';
import { WmStatsClient } from './wmstats.js';

export interface Upstream {
  reqmgr: ReqMgrClient;
  wmstats: WmStatsClient;
  dbs: DbsClient;
  pdmv: PdmvNotifier;
  /** Closes the connection pools; pending calls fail. */
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Needed for PdmV notifications only (notify throws a ConfigError without it). */
  callbacks?: CallbackConfig;
  /** Delays between retries; the number of retries comes from `config.retries`. */
  retryDelays?: { baseMs: number; maxMs: number };
}

const DEFAULT_RETRY_DELAYS = { baseMs: 1000, maxMs: 30_000 };

export function createUpstream(
  config: UpstreamConfig,
  logger: Logger,
  options: UpstreamOptions = {},
): Upstream {
  const log = logger.child({ module: 'upstream' });
  const delays = options.retryDelays ?? DEFAULT_RETRY_DELAYS;
  const retry: RetryPolicy = {
    retries: config.retries,
    baseDelayMs: delays.baseMs,
    maxDelayMs: delays.maxMs,
  };
  const http = new UpstreamHttp(log, retry);
  const { concurrency, timeoutMs } = config;
  const agents = new AgentPool(loadTlsCredentials(config), [
    { baseUrl: config.cmswebUrl, connections: concurrency.reqmgr, timeoutMs: timeoutMs.default },
    { baseUrl: config.cmswebUrl, connections: concurrency.wmstats, timeoutMs: timeoutMs.wmstats },
    { baseUrl: config.cmswebProdUrl, connections: concurrency.dbs, timeoutMs: timeoutMs.default },
    { baseUrl: config.ssoUrl, connections: concurrency.pdmv, timeoutMs: timeoutMs.callback },
    { baseUrl: config.pdmvProdUrl, connections: concurrency.pdmv, timeoutMs: timeoutMs.callback },
    { baseUrl: config.pdmvDevUrl, connections: concurrency.pdmv, timeoutMs: timeoutMs.callback },
  ]);
  const target = (baseUrl: string, limiter: Limiter, timeout: number): UpstreamTarget => ({
    http,
    dispatcher: agents.agentFor(baseUrl),
    limiter,
    baseUrl,
    timeoutMs: timeout,
  });
  const pdmvLimiter = new Limiter(concurrency.pdmv);
  const callbacks = options.callbacks;
  const tokens =
    callbacks?.clientId !== undefined && callbacks.clientSecret !== undefined
      ? new TokenSource({
          ssoUrl: config.ssoUrl,
          clientId: callbacks.clientId,
          clientSecret: callbacks.clientSecret,
          dispatcher: agents.agentFor(config.ssoUrl),
          limiter: new Limiter(concurrency.pdmv),
          timeoutMs: timeoutMs.callback,
          logger: log,
        })
      : undefined;
  return {
    reqmgr: new ReqMgrClient(
      target(config.cmswebUrl, new Limiter(concurrency.reqmgr), timeoutMs.default),
    ),
    wmstats: new WmStatsClient(
      target(config.cmswebUrl, new Limiter(concurrency.wmstats), timeoutMs.wmstats),
    ),
    dbs: new DbsClient(
      target(config.cmswebProdUrl, new Limiter(concurrency.dbs), timeoutMs.default),
    ),
    pdmv: new PdmvNotifier(
      {
        prod: {
          target: target(config.pdmvProdUrl, pdmvLimiter, timeoutMs.callback),
          audience: callbacks?.prodAudience,
        },
        dev: {
          target: target(config.pdmvDevUrl, pdmvLimiter, timeoutMs.callback),
          audience: callbacks?.devAudience,
        },
      },
      tokens,
    ),
    close: () => agents.close(),
  };
}
