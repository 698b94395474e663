/**
 * `--action check`: the preflight checks, one line each (`ok`, `warn`, `FAIL` and what to
 * do); exit status 1 when any fails. An invalid environment stops the CLI before this runs.
 */
import type { CommandContext } from './context.js';
import { formatCheck, hasFailures, runChecks } from './checks/index.js';

export async function runCheck({ config }: CommandContext): Promise<number> {
  const results = await runChecks(config);
  for (const result of results) console.log(formatCheck(result));
  if (!hasFailures(results)) {
    console.log('all checks passed');
    return 0;
  }
  console.log(`${results.filter((result) => result.status === 'fail').length} checks FAILED`);
  return 1;
}
