/**
 * Who the configured credentials are on the server. Commands that create databases must
 * know they are an admin first: an anonymous `PUT /<db>` kills pouchdb-server.
 */
import type { ServerScope } from 'nano';
import { Stats2Error } from '../lib/errors.js';
import { couchError } from './errors.js';

export interface SessionUser {
  name: string | null;
  roles: string[];
}

export async function sessionUser(server: ServerScope): Promise<SessionUser> {
  try {
    const session = (await server.session()) as { userCtx?: Partial<SessionUser> };
    return { name: session.userCtx?.name ?? null, roles: session.userCtx?.roles ?? [] };
  } catch (err) {
    throw couchError('asking CouchDB who the configured user is (GET /_session)', err);
  }
}

/** Throws unless the server scope authenticates as a server admin. */
export async function requireAdmin(server: ServerScope, what: string): Promise<void> {
  const user = await sessionUser(server);
  if (user.roles.includes('_admin')) return;
  const who =
    user.name === null
      ? 'no credentials are configured'
      : `user "${user.name}" is not a server admin`;
  throw new Stats2Error(
    `${what} needs a CouchDB server admin, but ${who}; set COUCHDB_URL=http://<admin>:<password>@<host>:5984 ` +
      '(or DB_URL and STATS_DB_AUTH_HEADER)',
    { code: 'COUCH_NOT_ADMIN', statusCode: 403 },
  );
}
