/** `--action restore --in FILE [--force]`: checks the file, restores it (couch/restore.ts), says what was written. */
import { DATABASE_ROLES } from '../couch/backup-file.js';
import { openDatabases } from '../couch/open-databases.js';
import { checkBackup, restoreBackup } from '../couch/restore.js';
import { plural } from '../lib/plural.js';
import type { CommandContext } from './context.js';

export async function runRestore(
  { config, output }: CommandContext,
  file: string,
  force: boolean,
): Promise<number> {
  const contents = await checkBackup(file);
  output.say(
    `backup ${file} (made ${contents.createdAt}) is complete: ` +
      `${contents.counts.requests} requests and ${plural(contents.counts.settings, 'settings document')}`,
    { file, createdAt: contents.createdAt, counts: contents.counts },
  );
  const db = await openDatabases(config);
  try {
    const names = { requests: config.couch.requestsDb, settings: config.couch.settingsDb };
    const summary = await restoreBackup(db.server, names, file, force);
    for (const role of DATABASE_ROLES) {
      const created = summary.created.includes(role) ? ' (database created)' : '';
      output.say(`${names[role]}: ${plural(summary.counts[role], 'document')} restored${created}`, {
        db: names[role],
        restored: summary.counts[role],
        created: created !== '',
      });
    }
    for (const failure of summary.failures.slice(0, 20)) {
      output.say(`FAIL ${failure.db}/${failure.id}: ${failure.error}`, failure);
    }
    if (summary.failures.length > 0) {
      output.fail(`restore FAILED for ${plural(summary.failures.length, 'document')}`, {
        failed: summary.failures.length,
      });
      return 1;
    }
    return 0;
  } finally {
    await db.close();
  }
}
