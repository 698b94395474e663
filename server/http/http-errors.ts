/** Errors that end a request with a particular status (beyond lib/errors.ts' 400 and 404). */
import { Stats2Error } from '../../lib/errors.js';

export class HttpError extends Stats2Error {
  constructor(
    statusCode: number,
    code: string,
    message: string,
    /** Headers the answer must carry (Allow, Retry-After, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message, { code, statusCode });
  }
}

export const methodNotAllowed = (allow: string) =>
  new HttpError(405, 'METHOD_NOT_ALLOWED', `this endpoint only answers ${allow}`, { Allow: allow });

export const serviceUnavailable = (message: string, retryAfterSeconds?: number) =>
  new HttpError(
    503,
    'UNAVAILABLE',
    message,
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
  );
