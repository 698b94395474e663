/**
 * `--action check`: the preflight checks, one line each (`ok`, `warn`, `FAIL` and what to
 * do); exit status 1 when any fails. An invalid environment stops the CLI before this runs.
 */
import { plural } from '../lib/plural.js';
import type { CommandContext } from './context.js';
import { formatCheck, hasFailures, runChecks } from '../preflight/index.js';

export async function runCheck({ config, output }: CommandContext): Promise<number> {
  const results = await runChecks(config);
  for (const result of results) output.say(formatCheck(result), { check: result });
  if (!hasFailures(results)) {
    output.say('all checks passed');
    return 0;
  }
  const failed = results.filter((result) => result.status === 'fail').length;
  output.say(`${plural(failed, 'check')} FAILED`, { failed });
  return 1;
}
