/**
 * Who may do what on the embedded CouchDB, decided before pouchdb-server sees a request.
 * pouchdb-server checks too little (an anonymous `POST /_replicate` writes design
 * documents, an anonymous `PUT /<db>` kills it), so the rule here is short: the generated
 * admin may do anything; anyone else may only read the databases the website serves
 * (documents, `_all_docs`, views, `_changes`, database info) and ask `GET /`, `/_up` and
 * `/_session`. Everything else gets the 401/403 CouchDB itself would give.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Verdict =
  | { allow: true; admin: boolean }
  | { allow: false; status: 400 | 401 | 403; error: string; reason: string };

export interface GuardRules {
  /** SHA-256 of the admin's `user:password`. */
  adminDigest: Buffer;
  /** Whether anonymous visitors may read this database. */
  readable(db: string): boolean;
}

export function digestOfCredentials(user: string, password: string): Buffer {
  return createHash('sha256').update(`${user}:${password}`).digest();
}

/**
 * Database names anonymous visitors may read: exact names, or patterns where `*` stands
 * for any characters (the tests' `t_*`).
 */
export class ReadableDatabases {
  private readonly names = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(entries: readonly string[] = []) {
    this.add(entries);
  }

  add(entries: readonly string[]): void {
    for (const entry of entries) {
      if (!entry.includes('*')) this.names.add(entry);
      else if (!this.patterns.some((p) => p.source === patternSource(entry))) {
        this.patterns.push(new RegExp(patternSource(entry)));
      }
    }
  }

  has(db: string): boolean {
    return this.names.has(db) || this.patterns.some((pattern) => pattern.test(db));
  }
}

function patternSource(entry: string): string {
  return `^${entry
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')}$`;
}

const WRONG_CREDENTIALS = {
  allow: false,
  status: 401,
  error: 'unauthorized',
  reason: 'Name or password is incorrect.',
} as const;

/** `rawUrl` is the request target as it arrived (`req.url`): the same string pouchdb-server routes on. */
export function authorize(
  method: string,
  rawUrl: string,
  authorization: string | undefined,
  rules: GuardRules,
): Verdict {
  if (authorization !== undefined) {
    return isAdmin(authorization, rules.adminDigest)
      ? { allow: true, admin: true }
      : WRONG_CREDENTIALS;
  }
  const segments = pathSegments(rawUrl);
  if (segments === undefined) {
    return { allow: false, status: 400, error: 'bad_request', reason: 'Malformed request path.' };
  }
  if (anonymousRead(method, segments, rules)) return { allow: true, admin: false };
  return denial(method, segments, rules);
}

/** Decoded path segments; [] for `/`; undefined when the path is not one pouchdb-server would route. */
function pathSegments(rawUrl: string): string[] | undefined {
  if (!rawUrl.startsWith('/')) return undefined;
  const query = rawUrl.indexOf('?');
  const path = query === -1 ? rawUrl : rawUrl.slice(0, query);
  if (path === '/') return [];
  try {
    return path.slice(1).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function anonymousRead(method: string, segments: string[], rules: GuardRules): boolean {
  if (segments.includes('')) return false;
  const [db, first, ddoc, kind, view] = segments as Array<string | undefined>;
  const isGet = method === 'GET' || method === 'HEAD';
  if (db === undefined) return isGet; // GET /
  if (segments.length === 1 && (db === '_up' || db === '_session')) return isGet;
  if (!rules.readable(db)) return false;
  if (first === undefined) return isGet; // database info
  const viewQuery =
    first === '_design' && kind === '_view' && view !== undefined && segments.length === 5;
  if (first === '_all_docs' && segments.length === 2) return isGet || method === 'POST';
  if (viewQuery) return isGet || method === 'POST';
  if (!isGet) return false;
  if (first === '_changes') return segments.length === 2;
  if (first === '_design') return ddoc !== undefined && segments.length === 3;
  // A document or one of its attachments.
  return !first.startsWith('_');
}

function denial(
  method: string,
  segments: string[],
  rules: GuardRules,
): Extract<Verdict, { allow: false }> {
  const [db, first] = segments;
  if (db === undefined || (db.startsWith('_') && !SYSTEM_DATABASES.has(db))) {
    return {
      allow: false,
      status: 401,
      error: 'unauthorized',
      reason: 'You are not a server admin.',
    };
  }
  if (!rules.readable(db)) {
    return {
      allow: false,
      status: 401,
      error: 'unauthorized',
      reason: 'You are not authorized to access this db.',
    };
  }
  const documentWrite =
    (first === undefined && method === 'POST') ||
    first === '_bulk_docs' ||
    (first !== undefined && !first.startsWith('_'));
  if (documentWrite) {
    return {
      allow: false,
      status: 403,
      error: 'forbidden',
      reason: 'Only admins can modify the database.',
    };
  }
  return {
    allow: false,
    status: 401,
    error: 'unauthorized',
    reason: 'You are not a db or server admin.',
  };
}

const SYSTEM_DATABASES = new Set(['_users', '_replicator', '_global_changes']);

/** Basic credentials of the admin, compared in constant time (both sides hashed to one length). */
function isAdmin(authorization: string, adminDigest: Buffer): boolean {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match) return false;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const given = digestOfCredentials(decoded.slice(0, colon), decoded.slice(colon + 1));
  return timingSafeEqual(given, adminDigest);
}
