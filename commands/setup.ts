/** `--action setup`: databases, public-read security, design documents. */
import { setupDatabases, type SetupReport } from '../couch/setup.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';

export async function runSetup({ config, logger, output }: CommandContext): Promise<number> {
  const db = await openDatabases(config);
  try {
    const reports = await setupDatabases(
      db.server,
      { requests: config.couch.requestsDb, settings: config.couch.settingsDb },
      logger,
    );
    for (const report of reports) output.say(describe(report), { setup: report });
    return 0;
  } finally {
    await db.close();
  }
}

export function describe(report: SetupReport): string {
  const ddocs = report.designDocs.map((d) => `${d.id} ${d.action}`).join(', ');
  return `${report.db}: ${report.created ? 'created' : 'exists'}, security ${report.securityChanged ? 'set to public read' : 'unchanged'}; ${ddocs}`;
}
