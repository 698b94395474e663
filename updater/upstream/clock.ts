/**
 * STATS_CLOCK_URL: "now" read from a server instead of the system clock — the demo's
 * simulator, whose world runs behind the real clock, so that an update run against the
 * demo stamps its history entries, LastUpdate and run record with the demo's time.
 *
 * Read once when a command starts; the run then counts the real time elapsed since from
 * that reading (the simulated clock moves in steps of a whole simulated hour between
 * which it runs at real pace, so within one run this is the demo's time). An answer that
 * cannot be had or is not a time is a configuration error: a wrong clock must not
 * silently become the system clock.
 */
import { request } from 'undici';
import type { Clock } from '../../lib/clock.js';
import type { UpstreamConfig } from '../../lib/config.js';
import { ConfigError, errorMessage } from '../../lib/errors.js';
import { createAgent, loadTlsCredentials } from './agents.js';

const READ_TIMEOUT_MS = 10_000;
/** 2001-09-09 … 2286-11-20: anything outside is not a time this product stores. */
const PLAUSIBLE_MS = { min: 1e12, max: 1e13 };

/**
 * The clock `url` serves (`{"epochMs": <epoch milliseconds>}` as JSON), over the
 * upstreams' TLS (client certificate and CA folder: the simulator asks for both).
 */
export async function readClockUrl(url: string, upstream: UpstreamConfig): Promise<Clock> {
  const agent = createAgent({
    credentials: loadTlsCredentials(upstream),
    connections: 1,
    headersTimeoutMs: READ_TIMEOUT_MS,
    bodyTimeoutMs: READ_TIMEOUT_MS,
  });
  const fail = (problem: string) =>
    new ConfigError(
      `STATS_CLOCK_URL=${url} ${problem}; it must name a running clock (the demo's sim.env sets it while the demo runs), or be unset for the system clock`,
    );
  let text: string;
  let status: number;
  try {
    const response = await request(url, { dispatcher: agent, method: 'GET' });
    status = response.statusCode;
    text = await response.body.text();
  } catch (err) {
    throw fail(`cannot be read (${errorMessage(err)})`);
  } finally {
    await agent.close();
  }
  const readAt = Date.now();
  if (status !== 200) throw fail(`answered HTTP ${status}`);
  let epochMs: unknown;
  try {
    epochMs = (JSON.parse(text) as { epochMs?: unknown }).epochMs;
  } catch {
    throw fail(`answered something that is not JSON (${JSON.stringify(text.slice(0, 60))})`);
  }
  if (
    typeof epochMs !== 'number' ||
    !Number.isFinite(epochMs) ||
    epochMs < PLAUSIBLE_MS.min ||
    epochMs > PLAUSIBLE_MS.max
  ) {
    throw fail(`answered no time in epoch milliseconds (epochMs: ${JSON.stringify(epochMs)})`);
  }
  const at = epochMs;
  return () => at + (Date.now() - readAt);
}
