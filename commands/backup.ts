/** `--action backup --out DIR`: writes the backup (couch/backup.ts) and says what it holds. */
import { writeBackup } from '../couch/backup.js';
import { DATABASE_ROLES } from '../couch/backup-file.js';
import { openDatabases } from '../couch/open-databases.js';
import { plural } from '../lib/plural.js';
import type { CommandContext } from './context.js';

export async function runBackup(
  { config, output }: CommandContext,
  outDir: string,
): Promise<number> {
  const db = await openDatabases(config, { existing: true });
  try {
    const names = { requests: config.couch.requestsDb, settings: config.couch.settingsDb };
    const summary = await writeBackup(db.server, names, outDir);
    for (const role of DATABASE_ROLES) {
      const { docs, designDocs } = summary.counts[role];
      output.say(
        `${names[role]}: ${plural(docs, 'document')} (${plural(designDocs, 'design document')})`,
        { db: names[role], docs, designDocs },
      );
    }
    if (summary.attachmentsLeftOut.length > 0) {
      output.say(
        `warn: attachments are not backed up; left out those of ${summary.attachmentsLeftOut.join(', ')}`,
        { attachmentsLeftOut: summary.attachmentsLeftOut },
      );
    }
    output.say(`backup written: ${summary.file}`, { file: summary.file });
    return 0;
  } finally {
    await db.close();
  }
}
