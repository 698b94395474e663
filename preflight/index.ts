/**
 * Preflight checks, for `--action check` and for the website's start (which runs the
 * `couch` group with its own reader). Each check answers ok, warn or fail, with what to do.
 */
import type { Config } from '../lib/config.js';
import { scrubUrl } from '../lib/logger.js';
import { resolveCouch } from '../couch/connection.js';
import { certificateChecks } from './certificates.js';
import { clockCheck } from './clock.js';
import { couchChecks, type CouchTargets } from './couch.js';
import { ok, type CheckResult } from './result.js';
import { upstreamCheck } from './upstream.js';

export type { CheckResult, CheckStatus } from './result.js';
export { formatCheck } from './result.js';
export type { CouchTargets } from './couch.js';

/**
 * `couch`: server, databases, design documents, security, reader access (what the website
 * needs); `admin`: the write credentials; `certificates`: client certificate, key, CA
 * folder; `upstream`: one request to cmsweb with them, and one to STATS_CLOCK_URL if set.
 */
export type CheckGroup = 'couch' | 'admin' | 'certificates' | 'upstream';

export const ALL_CHECKS: readonly CheckGroup[] = ['couch', 'admin', 'certificates', 'upstream'];

export async function runChecks(
  config: Config,
  which: readonly CheckGroup[] = ALL_CHECKS,
  options: { couch?: CouchTargets } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [configuration(config)];

  if (which.includes('couch') || which.includes('admin')) {
    if (options.couch) {
      results.push(...(await couchChecks(config, options.couch, which.includes('admin'))));
    } else {
      const couch = await resolveCouch(config.couch);
      try {
        results.push(...(await couchChecks(config, couch, which.includes('admin'))));
      } finally {
        await couch.stop();
      }
    }
  }

  if (which.includes('certificates') || which.includes('upstream')) {
    const certificates = certificateChecks(config.upstream);
    if (which.includes('certificates')) results.push(...certificates.results);
    if (which.includes('upstream')) {
      results.push(await upstreamCheck(config.upstream, certificates.credentials));
      const clock = await clockCheck(config);
      if (clock) results.push(clock);
    }
  }
  return results;
}

export function hasFailures(results: readonly CheckResult[]): boolean {
  return results.some((result) => result.status === 'fail');
}

/** Reaching this point means the environment parsed; say what it selects. */
function configuration(config: Config): CheckResult {
  const couch =
    config.couch.url === undefined
      ? `embedded CouchDB in ${config.couch.dataDir}/couchdb`
      : `CouchDB at ${scrubUrl(config.couch.url)}`;
  return ok(
    'configuration',
    `${couch}, databases ${config.couch.requestsDb} and ${config.couch.settingsDb}, cmsweb at ${config.upstream.cmswebUrl}`,
  );
}
