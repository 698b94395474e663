/**
 * `--action import --from URL`: takes over an existing Stats2 CouchDB. Our setup runs
 * first (databases, security, our design documents); then the source's documents are
 * copied (couch/import.ts).
 */
import { credentialsAsHeader, type CouchTarget } from '../couch/connection.js';
import {
  importStats2,
  openImportSource,
  type CopyCounts,
  type ImportSource,
} from '../couch/import.js';
import { openDatabases } from '../couch/open-databases.js';
import { requireAdmin } from '../couch/session.js';
import { setupDatabases } from '../couch/setup.js';
import { SETTINGS_ID } from '../workflow/documents.js';
import { BadRequestError } from '../lib/errors.js';
import { scrubUrl } from '../lib/logger.js';
import { plural } from '../lib/plural.js';
import type { CommandContext } from './context.js';
import { describe } from './setup.js';

export async function runImport(
  { config, logger, output }: CommandContext,
  source: ImportSource,
): Promise<number> {
  const sourceTarget = sourceCouch(source.url);
  const db = await openDatabases(config);
  try {
    const names = { requests: config.couch.requestsDb, settings: config.couch.settingsDb };
    if (
      sourceTarget.url === db.couch.admin.url &&
      source.requestsDb === names.requests &&
      source.settingsDb === names.settings
    ) {
      throw new BadRequestError(
        '--from names the databases this service uses; import copies from another Stats2 CouchDB',
      );
    }
    const from = await openImportSource(sourceTarget, source);
    await requireAdmin(db.server, 'import');
    const setup = await setupDatabases(db.server, names, logger);
    for (const report of setup) output.say(describe(report), { setup: report });

    const summary = await importStats2(from, source, db.server, names);
    output.say(
      `workflows from ${scrubUrl(sourceTarget.url)}/${source.requestsDb}: ${countsLine(summary.workflows)}`,
      { workflows: { ...summary.workflows, failed: summary.workflows.failed.length } },
    );
    output.say(`settings: ${countsLine(summary.settings)}`, {
      settings: { ...summary.settings, failed: summary.settings.failed.length },
    });
    output.say(
      summary.sequence === undefined
        ? `warn: ${source.settingsDb} has no ${SETTINGS_ID} document; the first update run reads the ReqMgr2 feed from the start`
        : `last_reqmgr_sequence: ${JSON.stringify(summary.sequence)}`,
      { lastReqmgrSequence: summary.sequence },
    );
    const failures = [...summary.workflows.failed, ...summary.settings.failed];
    for (const failure of failures.slice(0, 20)) {
      output.say(`FAIL ${failure.id}: ${failure.error}`, failure);
    }
    if (failures.length > 0) {
      output.fail(
        `import FAILED for ${plural(failures.length, 'document')}; run it again to retry them`,
        { failed: failures.length },
      );
      return 1;
    }
    return 0;
  } finally {
    await db.close();
  }
}

/** A URL with credentials becomes a URL without them and a Basic header. */
export function sourceCouch(url: string): CouchTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError(
      '--from must be the URL of the old Stats2 CouchDB server, e.g. http://admin:secret@old-host:5984',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadRequestError(`--from must be an http:// or https:// URL, got ${parsed.protocol}`);
  }
  return credentialsAsHeader(parsed);
}

function countsLine(counts: CopyCounts): string {
  return `${counts.read} read, ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed.length} failed`;
}
