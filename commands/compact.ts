/**
 * `--action compact`: both databases, the views of each of their design documents, then
 * view cleanup. A step the server does not support is reported and skipped (exit 0);
 * a step that fails makes the exit status 1.
 */
import { compactDatabase, type StepOutcome, type StepStatus } from '../couch/compaction.js';
import { requireAdmin } from '../couch/session.js';
import { plural } from '../lib/plural.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';

const LABELS: Record<StepStatus, string> = {
  done: 'ok  ',
  unsupported: 'skip',
  'still-running': 'warn',
  failed: 'FAIL',
};

export async function runCompact({ config, output }: CommandContext): Promise<number> {
  const db = await openDatabases(config, { existing: true });
  try {
    await requireAdmin(db.server, 'compaction');
    const outcomes: StepOutcome[] = [];
    for (const name of [config.couch.requestsDb, config.couch.settingsDb]) {
      for (const outcome of await compactDatabase(db.server, name)) {
        output.say(`${LABELS[outcome.status]} ${outcome.db}: ${outcome.step}: ${outcome.detail}`, {
          ...outcome,
        });
        outcomes.push(outcome);
      }
    }
    const count = (status: StepStatus) => outcomes.filter((o) => o.status === status).length;
    const failed = count('failed');
    const summary = {
      done: count('done'),
      unsupported: count('unsupported'),
      stillRunning: count('still-running'),
      failed,
    };
    output.say(
      `compaction ${failed > 0 ? 'FAILED' : 'finished'}: ${plural(summary.done, 'step')} done, ` +
        `${summary.unsupported} not supported by this server, ${summary.stillRunning} still running, ${failed} failed`,
      summary,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}
