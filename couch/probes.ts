/**
 * What the preflight checks ask CouchDB, one request each. Failures are thrown as nano
 * gives them (status, `error`, `reason`, or the network error's code): the checks turn
 * them into their own messages.
 */
import type { ServerScope } from 'nano';
import { connect, type CouchTarget } from './connection.js';
import type { DesignDocument } from './design.js';
import { isNotFound } from './errors.js';
import { sessionUser, type SessionUser } from './session.js';

export interface SecurityObject {
  members?: { names?: string[]; roles?: string[] };
}

/** One CouchDB server as a target's credentials see it. */
export class CouchProbe {
  private readonly server: ServerScope;

  constructor(target: CouchTarget) {
    this.server = connect(target);
  }

  /** The server's welcome (`GET /`): `couchdb` and `version`, or pouchdb-server's `express-pouchdb`. */
  async welcome(): Promise<Record<string, unknown>> {
    return (await this.server.request({ path: '' })) as Record<string, unknown>;
  }

  /** Who the credentials are (`GET /_session`); a failure is a CouchError. */
  session(): Promise<SessionUser> {
    return sessionUser(this.server);
  }

  /** The database's information (`GET /<db>`). */
  async database(db: string): Promise<{ doc_count: number }> {
    return this.server.db.get(db);
  }

  /** A stored design document, or undefined when there is none. */
  async designDoc(db: string, id: string): Promise<DesignDocument | undefined> {
    try {
      return await this.server.use<DesignDocument>(db).get(id);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The database's security object (`GET /<db>/_security`). */
  async security(db: string): Promise<SecurityObject> {
    return (await this.server.request({ db, path: '_security' })) as SecurityObject;
  }
}
