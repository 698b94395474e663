/**
 * Failures talking to an upstream service. Every answer that is not what we expect ends
 * here as a typed error, never as data. Match on `code`; `transient` says whether trying
 * again later can help.
 */
import { Stats2Error } from '../../lib/errors.js';

export type UpstreamErrorCode =
  /** Non-2xx answer (including DBS JSON-list errors and front-end 401s). */
  | 'UPSTREAM_HTTP'
  /** No answer (headers or body) within the endpoint's timeout. */
  | 'UPSTREAM_TIMEOUT'
  /** Connection refused, reset or dropped mid-answer. */
  | 'UPSTREAM_NETWORK'
  /** The server's certificate could not be verified, or it refused ours. */
  | 'UPSTREAM_TLS'
  /** Empty, cut, HTML or otherwise non-JSON body. */
  | 'UPSTREAM_BAD_BODY'
  /** JSON of an unexpected shape. */
  | 'UPSTREAM_SCHEMA'
  /** The document does not exist (CouchDB 404 `missing` / `deleted`). */
  | 'UPSTREAM_NOT_FOUND'
  /** CouchDB refused the `since` value: restart the feed from 0. */
  | 'MALFORMED_SINCE';

export interface UpstreamErrorDetails {
  /** Which call failed, e.g. `dbs.filesummaries`. */
  endpoint: string;
  status?: number;
  /** The start of the answer's body (never request headers, tokens or credentials). */
  excerpt?: string;
  transient?: boolean;
  /** How long the server asked us to wait before trying again (`Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class UpstreamError extends Stats2Error {
  declare readonly code: UpstreamErrorCode;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly excerpt: string | undefined;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: UpstreamErrorCode, message: string, details: UpstreamErrorDetails) {
    super(message, {
      code,
      statusCode: code === 'UPSTREAM_TIMEOUT' ? 504 : 502,
      cause: details.cause,
    });
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.excerpt = details.excerpt;
    this.transient = details.transient ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A ReqMgr2 document that is not there; `reason` is CouchDB's (`missing` or `deleted`). */
export class UpstreamNotFoundError extends UpstreamError {
  /** What the update run checks (updater/upstream-port.ts). */
  readonly notFound = true;

  constructor(
    endpoint: string,
    readonly id: string,
    readonly reason: string,
  ) {
    super('UPSTREAM_NOT_FOUND', `${endpoint}: ${id} not found (${reason})`, {
      endpoint,
      status: 404,
    });
  }
}

/** The `_changes` feed refused `since` (e.g. an old integer sequence): restart from 0. */
export class MalformedSinceError extends UpstreamError {
  constructor(
    endpoint: string,
    readonly since: string,
  ) {
    super(
      'MALFORMED_SINCE',
      `${endpoint}: CouchDB rejected since=${since} as malformed; restart the feed from 0`,
      { endpoint, status: 400 },
    );
  }
}

const EXCERPT_LENGTH = 200;

export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}
