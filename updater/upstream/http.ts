/**
 * One JSON call to an upstream: bounded concurrency per upstream, per-endpoint timeouts,
 * retries with exponential backoff and jitter for idempotent calls on transient failures,
 * and classification of every failure into an `UpstreamError`. Our own retry loop rather
 * than undici's retry interceptor, because a cut or undecodable body must be retried too;
 * what it retries follows that interceptor's defaults (HTTP 429, 500, 502, 503, 504, with
 * `Retry-After` honoured up to the longest delay; no POST unless the caller says it is a read).
 */
import type { Logger } from '../../lib/logger.js';
import type { Dispatcher } from 'undici';
import { excerptOf, UpstreamError } from './errors.js';
import type { Limiter } from './limiter.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface JsonCall {
  /** Names the call in errors and logs, e.g. `dbs.filesummaries`. */
  endpoint: string;
  dispatcher: Dispatcher;
  limiter: Limiter;
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  body?: { contentType: string; text: string };
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Safe to send twice: retried on transient failures. */
  idempotent: boolean;
  /** Retries of this call, instead of the policy's (0: none). */
  retries?: number;
  /** Non-2xx statuses whose JSON body the caller interprets itself (e.g. 404 of a document). */
  acceptStatuses?: readonly number[];
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** As undici's retry interceptor: 500 too (cmsweb's and DBS's servers answer it for failures that pass). */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const TRANSIENT_NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH)/;

export function errorCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Classifies a failure to get an answer at all (no HTTP status). */
export function transportError(endpoint: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const code = errorCodeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamError('UPSTREAM_TIMEOUT', `${endpoint}: no answer in time (${code})`, {
      endpoint,
      transient: true,
      cause: err,
    });
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new UpstreamError(
      'UPSTREAM_TLS',
      `${endpoint}: TLS failed (${code}: ${detail}); check X509_CERT_DIR (server CA) and USERCRT/USERKEY`,
      { endpoint, cause: err },
    );
  }
  const transient = code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
  return new UpstreamError(
    'UPSTREAM_NETWORK',
    `${endpoint}: connection failed (${code ?? 'no code'}: ${detail})`,
    { endpoint, transient, cause: err },
  );
}

/** What an error body says, in the dialect of the service that sent it. */
export function describeErrorBody(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.trimStart().startsWith('<')
      ? 'an HTML page'
      : text.trim() === ''
        ? 'an empty body'
        : 'a non-JSON body';
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (typeof first !== 'object' || first === null) return 'an unexpected JSON body';
  const body = first as Record<string, unknown>;
  const dbs = body.error as Record<string, unknown> | undefined;
  if (Array.isArray(parsed) && typeof dbs === 'object' && dbs !== null)
    return `DBS error ${String(dbs.code)}: ${String(dbs.message ?? dbs.reason)}`;
  if (typeof body.error === 'string')
    return `${body.error}${body.reason !== undefined ? `: ${String(body.reason)}` : ''}${body.error_description !== undefined ? `: ${String(body.error_description)}` : ''}`;
  if (typeof body.message === 'string' && body.message !== '') return body.message;
  if (typeof body.msg === 'string') return body.msg;
  return 'a JSON error body';
}

export function httpError(
  endpoint: string,
  status: number,
  text: string,
  retryAfter?: string,
): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_HTTP',
    `${endpoint}: HTTP ${status} with ${describeErrorBody(text)}`,
    {
      endpoint,
      status,
      excerpt: excerptOf(text),
      transient: TRANSIENT_STATUSES.has(status),
      retryAfterMs: retryAfterMs(retryAfter),
    },
  );
}

/** `Retry-After` (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

export function badBody(
  endpoint: string,
  status: number,
  text: string,
  problem: string,
): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_BODY', `${endpoint}: ${problem}`, {
    endpoint,
    status,
    excerpt: excerptOf(text),
    transient: true,
  });
}

export function schemaError(endpoint: string, problem: string, body: unknown): UpstreamError {
  let text: string;
  try {
    text = JSON.stringify(body) ?? '';
  } catch {
    text = String(body);
  }
  return new UpstreamError('UPSTREAM_SCHEMA', `${endpoint}: unexpected answer: ${problem}`, {
    endpoint,
    excerpt: excerptOf(text),
  });
}

export class UpstreamHttp {
  constructor(
    private readonly logger: Logger,
    private readonly retry: RetryPolicy,
  ) {}

  async json(call: JsonCall): Promise<JsonAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call.limiter.run(() => this.attempt(call));
      } catch (err) {
        const error = transportError(call.endpoint, err);
        if (!call.idempotent || !error.transient || attempt > (call.retries ?? this.retry.retries))
          throw error;
        const delayMs =
          error.retryAfterMs === undefined
            ? this.delayBefore(attempt)
            : Math.min(error.retryAfterMs, this.retry.maxDelayMs);
        this.logger.warn(
          { endpoint: call.endpoint, attempt, code: error.code, status: error.status, delayMs },
          `${call.endpoint} failed (${error.code}), retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private delayBefore(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private async attempt(call: JsonCall): Promise<JsonAnswer> {
    const query =
      call.query === undefined || [...call.query.keys()].length === 0
        ? ''
        : `?${call.query.toString()}`;
    const url = new URL(`${call.baseUrl}${call.path}${query}`);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'stats2-ts',
      ...call.headers,
    };
    if (call.body !== undefined) headers['content-type'] = call.body.contentType;
    const response = await call.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: call.method,
      headers,
      body: call.body?.text,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    // Always read the whole body: it frees the connection, and a cut body must fail here.
    const text = await response.body.text();
    const status = response.statusCode;
    if ((status < 200 || status > 299) && !(call.acceptStatuses ?? []).includes(status)) {
      const retryAfter = response.headers['retry-after'];
      throw httpError(
        call.endpoint,
        status,
        text,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      );
    }
    if (text.trim() === '')
      throw badBody(call.endpoint, status, text, `empty body with HTTP ${status}`);
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      throw badBody(
        call.endpoint,
        status,
        text,
        `${describeErrorBody(text)} instead of JSON (HTTP ${status}); cut or from a proxy`,
      );
    }
  }
}

/** Where one client's calls go and under which limits. */
export interface UpstreamTarget {
  http: UpstreamHttp;
  dispatcher: Dispatcher;
  limiter: Limiter;
  baseUrl: string;
  timeoutMs: number;
}

export function callTarget(
  target: UpstreamTarget,
  call: Omit<JsonCall, 'dispatcher' | 'limiter' | 'baseUrl' | 'timeoutMs'>,
): Promise<JsonAnswer> {
  return target.http.json({
    ...call,
    dispatcher: target.dispatcher,
    limiter: target.limiter,
    baseUrl: target.baseUrl,
    timeoutMs: target.timeoutMs,
  });
}
