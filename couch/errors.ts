/**
 * CouchDB errors, classified by HTTP status and CouchDB's `error` field (never by message
 * text), in the project's error hierarchy.
 */
import { Stats2Error } from '../lib/errors.js';

export class CouchError extends Stats2Error {
  /** CouchDB's `error` field: not_found, conflict, forbidden, unauthorized, … */
  readonly couchError: string;
  readonly couchStatus: number;

  constructor(
    what: string,
    couchStatus: number,
    couchError: string,
    reason: string,
    cause?: unknown,
  ) {
    super(
      `${what}: CouchDB answered ${couchStatus} ${couchError}${reason ? ` (${reason})` : ''}${hint(couchStatus, couchError)}`,
      {
        code: `COUCH_${couchError.toUpperCase()}`,
        statusCode: 502,
        cause,
      },
    );
    this.couchError = couchError;
    this.couchStatus = couchStatus;
  }
}

function hint(status: number, error: string): string {
  if (status === 401) return '; check the credentials in COUCHDB_URL or STATS_DB_AUTH_HEADER';
  if (error === 'forbidden')
    return '; writes need an admin account (COUCHDB_URL with admin credentials)';
  return '';
}

interface NanoLikeError {
  statusCode?: number;
  error?: string;
  reason?: string;
  code?: string;
  message?: string;
}

/** Turns whatever nano or fetch threw into a CouchError (or a Stats2Error for network failures). */
export function couchError(what: string, err: unknown): Stats2Error {
  if (err instanceof Stats2Error) return err;
  const e = (err ?? {}) as NanoLikeError;
  if (typeof e.statusCode === 'number' && e.statusCode >= 400) {
    return new CouchError(what, e.statusCode, e.error ?? 'unknown_error', e.reason ?? '', err);
  }
  const detail = e.code ?? e.message ?? String(err);
  return new Stats2Error(
    `${what}: CouchDB cannot be reached (${detail}); is it running, and is COUCHDB_URL right?`,
    {
      code: 'COUCH_UNREACHABLE',
      statusCode: 503,
      cause: err,
    },
  );
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return statusOf(err) === 409;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof CouchError) return err.couchStatus;
  return (err as NanoLikeError | undefined)?.statusCode;
}
