/**
 * Clock check (only with STATS_CLOCK_URL): the clock an update run would stamp times with
 * answers a time. A stale sim.env (the demo stopped) fails here rather than at `update`.
 */
import type { Config } from '../lib/config.js';
import { errorMessage } from '../lib/errors.js';
import { fail, ok, type CheckResult } from './result.js';

const NAME = 'clock';
const DAY_MS = 86_400_000;

export async function clockCheck(config: Config): Promise<CheckResult | undefined> {
  const url = config.updater.clockUrl;
  if (url === undefined) return undefined;
  // Loaded here: the website's start runs other preflight checks and needs no upstream client.
  const { readClockUrl } = await import('../updater/upstream/index.js');
  try {
    const now = (await readClockUrl(url, config.upstream))();
    const behindDays = Math.round((Date.now() - now) / DAY_MS);
    const offset =
      behindDays === 0
        ? 'within a day of the system clock'
        : `${Math.abs(behindDays)} days ${behindDays > 0 ? 'behind' : 'ahead of'} the system clock`;
    return ok(NAME, `STATS_CLOCK_URL answers ${new Date(now).toISOString()} (${offset})`);
  } catch (err) {
    return fail(
      NAME,
      errorMessage(err),
      "start the demo again (it rewrites sim.env), or unset STATS_CLOCK_URL to stamp the system clock's time",
    );
  }
}
