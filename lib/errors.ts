/**
 * The project's small error hierarchy. Every error says what failed and, where a person
 * can act on it, what to do. `code` is stable (match on it, never on the message);
 * `statusCode` is what the website answers with when the error reaches a route.
 */
export class Stats2Error extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(message: string, options: { code: string; statusCode?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.statusCode = options.statusCode ?? 500;
  }
}

/** Configuration is missing or malformed: fix the environment or the flags. */
export class ConfigError extends Stats2Error {
  constructor(message: string) {
    super(message, { code: 'CONFIG_INVALID', statusCode: 500 });
  }
}

/** Input from a person (query parameter, CLI flag) is not acceptable. */
export class BadRequestError extends Stats2Error {
  constructor(message: string) {
    super(message, { code: 'BAD_REQUEST', statusCode: 400 });
  }
}

export class NotFoundError extends Stats2Error {
  constructor(message: string) {
    super(message, { code: 'NOT_FOUND', statusCode: 404 });
  }
}

/**
 * An expected condition whose message says all there is to say (another run holds the
 * lock, CouchDB does not answer): logged as one line, without a stack trace. Anything
 * else is unexpected and is logged whole.
 */
export function isExpectedCondition(err: unknown): err is Stats2Error {
  return err instanceof Stats2Error && (err.statusCode < 500 || err.code === 'COUCH_UNREACHABLE');
}

/** Log fields for `err`: its code and message when it is an expected condition, else the whole error. */
export function errorLogFields(err: unknown): Record<string, unknown> {
  return isExpectedCondition(err) ? { code: err.code, error: err.message } : { err };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
