/** `--action see --name NAME`: the stored workflow document as indented JSON. */
import { NotFoundError } from '../lib/errors.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';

export async function runSee({ config }: CommandContext, name: string): Promise<number> {
  const db = await openDatabases(config, { existing: true });
  try {
    const doc = await db.workflows.get(name);
    if (!doc) {
      throw new NotFoundError(
        `no workflow named "${name}" in database ${config.couch.requestsDb}; run "node cli.js --action update --name ${name}" to fetch it`,
      );
    }
    // The document is the output, the same JSON on a terminal or not.
    console.log(JSON.stringify(doc, null, 2));
    return 0;
  } finally {
    await db.close();
  }
}
