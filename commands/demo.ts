/** `--action demo`: the embedded defaults, running until Ctrl-C. */
import { setupDatabases } from '../couch/setup.js';
import { openDatabases, type CommandContext } from './context.js';
import { describe } from './setup.js';

export async function runDemo({ config, logger }: CommandContext): Promise<number> {
  const db = await openDatabases(config);
  try {
    const reports = await setupDatabases(
      db.server,
      { requests: config.couch.requestsDb, settings: config.couch.settingsDb },
      logger,
    );
    for (const report of reports) console.log(describe(report));
    console.log(`CouchDB ${db.couch.embedded ? '(embedded, data in ' + config.couch.dataDir + ')' : ''} at ${db.couch.admin.url}`);
    console.log(`Browse the databases read-only: ${db.couch.reader.url}/${config.couch.requestsDb}/_all_docs`);
    console.log('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await db.close();
  }
}
