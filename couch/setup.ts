/**
 * `--action setup`: creates the two databases when missing, opens them for public
 * reading (writes stay admin-only through `validate_write`), and deploys the design
 * documents. Running it again changes nothing.
 */
import type { ServerScope } from 'nano';
import type { Logger } from '../lib/logger.js';
import { compileDesignDocs, type DatabaseRole } from './design.js';
import { deployDesignDocs, type DeployResult } from './deploy.js';
import { couchError } from './errors.js';

export interface DatabaseNames {
  requests: string;
  settings: string;
}

export interface SetupReport {
  db: string;
  created: boolean;
  securityChanged: boolean;
  designDocs: DeployResult[];
}

/**
 * Public read: no members (anyone may read), no database admins beyond server admins.
 * Apache CouchDB 3 creates databases admin-only, so this must be set explicitly; the
 * PdmV services and users' scripts read these databases without an account.
 */
export const PUBLIC_READ_SECURITY = {
  admins: { names: [] as string[], roles: [] as string[] },
  members: { names: [] as string[], roles: [] as string[] },
};

export async function setupDatabases(
  server: ServerScope,
  names: DatabaseNames,
  logger?: Logger,
): Promise<SetupReport[]> {
  const reports: SetupReport[] = [];
  for (const role of ['requests', 'settings'] as DatabaseRole[]) {
    const db = names[role];
    const created = await createIfMissing(server, db);
    const securityChanged = await ensureSecurity(server, db);
    const designDocs = await deployDesignDocs(server, db, compileDesignDocs(role), logger);
    reports.push({ db, created, securityChanged, designDocs });
  }
  return reports;
}

async function createIfMissing(server: ServerScope, db: string): Promise<boolean> {
  try {
    await server.db.get(db);
    return false;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404)
      throw couchError(`reading database ${db}`, err);
  }
  try {
    await server.db.create(db);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 412) return false;
    throw couchError(`creating database ${db}`, err);
  }
}

async function ensureSecurity(server: ServerScope, db: string): Promise<boolean> {
  let current: unknown;
  try {
    current = await server.request({ db, path: '_security' });
  } catch (err) {
    throw couchError(`reading the security object of ${db}`, err);
  }
  if (sameSecurity(current, PUBLIC_READ_SECURITY)) return false;
  try {
    await server.request({ db, method: 'put', path: '_security', body: PUBLIC_READ_SECURITY });
  } catch (err) {
    throw couchError(`setting the security object of ${db}`, err);
  }
  return true;
}

function sameSecurity(current: unknown, wanted: typeof PUBLIC_READ_SECURITY): boolean {
  const c = (current ?? {}) as Partial<typeof PUBLIC_READ_SECURITY>;
  const normal = (s: Partial<typeof PUBLIC_READ_SECURITY>) =>
    JSON.stringify([
      s.admins?.names ?? [],
      s.admins?.roles ?? [],
      s.members?.names ?? [],
      s.members?.roles ?? [],
    ]);
  return c.admins !== undefined && c.members !== undefined && normal(c) === normal(wanted);
}
