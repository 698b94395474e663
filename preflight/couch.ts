/**
 * CouchDB checks: the server answers, the admin credentials work (for the write side),
 * both databases exist, their design documents are the ones this version deploys, their
 * security object gives public read as setup sets it, and the website's reader can read.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../lib/config.js';
import { scrubUrl } from '../lib/logger.js';
import { plural } from '../lib/plural.js';
import type { CouchTarget } from '../couch/connection.js';
import { compileDesignDocs, type DatabaseRole, type DesignDocument } from '../couch/design.js';
import { retiredId, stagingId } from '../couch/deploy.js';
import { CouchError, isNotFound } from '../couch/errors.js';
import { CouchProbe, type SecurityObject } from '../couch/probes.js';
import { fail, ok, warn, type CheckResult } from './result.js';

export interface CouchTargets {
  /** Write access; `authHeader` undefined when none is configured. */
  admin: CouchTarget;
  /** What the website reads with. */
  reader: CouchTarget;
}

const SETUP = 'run "node cli.js --action setup"';
const CREDENTIALS =
  "put an admin's user and password in COUCHDB_URL (http://user:password@host:5984), or set STATS_DB_AUTH_HEADER";

export async function couchChecks(
  config: Config,
  targets: CouchTargets,
  includeAdmin: boolean,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const reader = new CouchProbe(targets.reader);
  const admin = new CouchProbe(targets.admin);

  const reachable = await reachability(reader, targets.reader.url);
  results.push(reachable);
  if (reachable.status === 'fail') return results;

  let adminWorks = false;
  if (includeAdmin) {
    const credentials = await adminCredentials(admin, targets.admin);
    adminWorks = credentials.status === 'ok';
    results.push(credentials);
  }
  const server = adminWorks ? admin : reader;
  const roles: DatabaseRole[] = ['requests', 'settings'];
  const names: Record<DatabaseRole, string> = {
    requests: config.couch.requestsDb,
    settings: config.couch.settingsDb,
  };
  const existing: string[] = [];
  for (const role of roles) {
    const exists = await databaseExists(server, names[role]);
    results.push(exists);
    if (exists.status !== 'ok') continue;
    existing.push(names[role]);
    results.push(await designDocsInSync(server, names[role], role));
    results.push(await securityIsPublicRead(server, names[role]));
  }
  if (existing.length > 0) results.push(await readerCanRead(reader, existing));
  return results;
}

async function reachability(server: CouchProbe, url: string): Promise<CheckResult> {
  const name = 'CouchDB reachable';
  try {
    const root = await server.welcome();
    const product =
      root.couchdb !== undefined
        ? `Apache CouchDB ${String(root.version)}`
        : root['express-pouchdb'] !== undefined
          ? `pouchdb-server ${String(root.version)}`
          : 'a CouchDB-compatible server';
    return ok(name, `${product} at ${scrubUrl(url)}`);
  } catch (err) {
    const status = statusOf(err);
    if (status !== undefined) {
      return ok(name, `answers at ${scrubUrl(url)} (HTTP ${status} to anonymous requests)`);
    }
    return fail(
      name,
      `no answer from ${scrubUrl(url)} (${codeOf(err)})`,
      'start CouchDB, or set COUCHDB_URL to where it runs',
    );
  }
}

async function adminCredentials(server: CouchProbe, target: CouchTarget): Promise<CheckResult> {
  const name = 'admin credentials';
  if (target.authHeader === undefined) {
    return fail(
      name,
      'none configured; the update, setup, compact and restore need them',
      CREDENTIALS,
    );
  }
  try {
    const user = await server.session();
    if (user.roles.includes('_admin')) {
      return ok(name, `user "${user.name ?? '?'}" is a server admin`);
    }
    return fail(
      name,
      `user "${user.name ?? '?'}" is not a server admin (roles: ${user.roles.join(', ') || 'none'})`,
      CREDENTIALS,
    );
  } catch (err) {
    if (statusOf(err) === 401) {
      return fail(name, 'CouchDB rejected the user or password (401)', CREDENTIALS);
    }
    return fail(name, `cannot be checked: ${(err as Error).message}`, CREDENTIALS);
  }
}

async function databaseExists(server: CouchProbe, db: string): Promise<CheckResult> {
  const name = `database ${db}`;
  try {
    const info = await server.database(db);
    return ok(name, `exists, ${plural(info.doc_count, 'document')}`);
  } catch (err) {
    if (isNotFound(err)) return fail(name, 'does not exist', `${SETUP} to create it`);
    return fail(name, `cannot be read: ${describe(err)}`, accessFix(err));
  }
}

async function designDocsInSync(
  server: CouchProbe,
  db: string,
  role: DatabaseRole,
): Promise<CheckResult> {
  const name = `design documents of ${db}`;
  const problems: string[] = [];
  const compiled = compileDesignDocs(role);
  for (const wanted of compiled) {
    let stored: DesignDocument | undefined;
    try {
      stored = await server.designDoc(db, wanted._id);
    } catch (err) {
      return fail(name, `cannot be read: ${describe(err)}`, accessFix(err));
    }
    if (stored === undefined) problems.push(`${wanted._id} is missing`);
    else if (stored.deploy?.hash === undefined) {
      problems.push(`${wanted._id} was not deployed by this program (no deploy.hash)`);
    } else if (stored.deploy.hash !== wanted.deploy.hash) {
      problems.push(
        `${wanted._id} differs from this version's (stored ${stored.deploy.hash}, this version ${wanted.deploy.hash})`,
      );
    } else if (!sameFunctions(stored, wanted)) {
      problems.push(`${wanted._id} was edited after it was deployed`);
    }
  }
  if (problems.length > 0) {
    return fail(
      name,
      problems.join('; '),
      `${SETUP} (it builds a changed design document under a staging name first, so readers never wait)`,
    );
  }
  const matching = `${compiled.map((doc) => doc._id).join(', ')} match this version`;
  const copies: string[] = [];
  for (const id of compiled.flatMap((doc) => [stagingId(doc._id), retiredId(doc._id)])) {
    try {
      if ((await server.designDoc(db, id)) !== undefined) copies.push(id);
    } catch (err) {
      return fail(name, `cannot be read: ${describe(err)}`, accessFix(err));
    }
  }
  if (copies.length > 0) {
    // Each keeps an index open and indexed on every write.
    return warn(
      name,
      `${matching}; ${copies.join(', ')} left by a deploy, running now or interrupted`,
      `unless a setup is running, ${SETUP} again to remove ${copies.length === 1 ? 'it' : 'them'}`,
    );
  }
  return ok(name, matching);
}

function sameFunctions(stored: DesignDocument, wanted: DesignDocument): boolean {
  return (
    isDeepStrictEqual(stored.views, wanted.views) &&
    stored.validate_doc_update === wanted.validate_doc_update &&
    stored.language === wanted.language
  );
}

async function securityIsPublicRead(server: CouchProbe, db: string): Promise<CheckResult> {
  const name = `security of ${db}`;
  let security: SecurityObject;
  try {
    security = await server.security(db);
  } catch (err) {
    return warn(
      name,
      `cannot be read: ${describe(err)}`,
      'run the check with admin credentials to see it',
    );
  }
  const names = security.members?.names ?? [];
  const roles = security.members?.roles ?? [];
  if (names.length === 0 && roles.length === 0) {
    return ok(name, 'public read (no members); writes are admin-only');
  }
  if (names.length === 0 && roles.every((role) => role === '_admin')) {
    return fail(
      name,
      'admin-only (members: role _admin): anonymous readers and the website get 401',
      `${SETUP} to open it for reading`,
    );
  }
  return warn(
    name,
    `only members may read (names: ${names.join(', ') || 'none'}; roles: ${roles.join(', ') || 'none'})`,
    `give the website such an account in COUCHDB_READER_URL, or ${SETUP} for public read`,
  );
}

async function readerCanRead(reader: CouchProbe, dbs: string[]): Promise<CheckResult> {
  const name = 'website read access';
  for (const db of dbs) {
    try {
      await reader.database(db);
    } catch (err) {
      return fail(
        name,
        `the website's reader cannot read ${db}: ${describe(err)}`,
        `${SETUP} for public read, or set COUCHDB_READER_URL to a reader account`,
      );
    }
  }
  return ok(name, `the website reads ${dbs.join(' and ')} without write credentials`);
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof CouchError) return err.couchStatus;
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return e.code ?? e.cause?.code ?? e.message ?? String(err);
}

function describe(err: unknown): string {
  const status = statusOf(err);
  if (status === undefined) return codeOf(err);
  const e = err as { error?: string; reason?: string };
  return `HTTP ${status} ${e.error ?? ''}${e.reason ? ` (${e.reason})` : ''}`.trim();
}

function accessFix(err: unknown): string {
  const status = statusOf(err);
  return status === 401 || status === 403
    ? CREDENTIALS
    : 'check that CouchDB is healthy (its log says more)';
}
