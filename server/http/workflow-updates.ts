/**
 * `POST api/update`: updates one workflow now, for a caller holding the configured token.
 * The update itself is the updater's (injected as `updateWorkflow`); this module decides
 * who may trigger it and how often, and runs at most one update per workflow at a time.
 *
 * The token is checked first. Requests without it count against their client's budget of
 * failures (429 once spent), so guessing is slow and one client's failures never touch
 * another's — nor the token's holder, whose updates have their own budget.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError, serviceUnavailable } from './http-errors.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

/** What the updater reports for one workflow; `changed` tells whether anything was written. */
export interface UpdateOutcome {
  changed: boolean;
  [detail: string]: unknown;
}

export type UpdateWorkflow = (name: string) => Promise<UpdateOutcome>;

export interface WorkflowUpdatesOptions {
  /** Bearer token that allows updates; undefined turns the endpoint off. */
  token: string | undefined;
  /** The updater; undefined makes the endpoint answer 503. */
  updateWorkflow: UpdateWorkflow | undefined;
  /** Updates with the token, whoever sends them (default: 5 at once, then one every 12 s). */
  rateLimit?: RateLimit;
  /** Requests without the token, per client address (default: 5 at once, then one every 12 s). */
  failureRateLimit?: RateLimit;
}

export class WorkflowUpdates {
  private readonly tokenDigest: Buffer | undefined;
  private readonly updateWorkflow: UpdateWorkflow | undefined;
  private readonly limiter: RateLimiter;
  private readonly failures: RateLimiter;
  private readonly running = new Map<string, Promise<UpdateOutcome>>();

  constructor(options: WorkflowUpdatesOptions) {
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.updateWorkflow = options.updateWorkflow;
    this.limiter = new RateLimiter(options.rateLimit ?? { burst: 5, intervalMs: 12_000 }, 1);
    this.failures = new RateLimiter(options.failureRateLimit ?? { burst: 5, intervalMs: 12_000 });
  }

  get enabled(): boolean {
    return this.tokenDigest !== undefined;
  }

  /**
   * Throws unless `authorization` carries the token and the token's budget allows one
   * more update; a request without the token takes from `client`'s budget of failures.
   */
  admit(client: string, authorization: string | undefined): void {
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    const valid =
      match !== null && timingSafeEqual(digest(match[1] as string), this.tokenDigest as Buffer);
    const wait = valid ? this.limiter.take('token') : this.failures.take(client);
    if (wait > 0) {
      throw new HttpError(
        429,
        'TOO_MANY_REQUESTS',
        `too many update requests${valid ? '' : ' without the token'}; try again in ${wait} s`,
        { 'Retry-After': String(wait) },
      );
    }
    if (!match) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'updates need an "Authorization: Bearer <token>" header',
        {
          'WWW-Authenticate': 'Bearer realm="stats2"',
        },
      );
    }
    if (!valid) throw new HttpError(403, 'FORBIDDEN', 'this token does not allow updates');
  }

  update(name: string): Promise<UpdateOutcome> {
    const updateWorkflow = this.updateWorkflow;
    if (updateWorkflow === undefined)
      throw serviceUnavailable('updates are not available on this server');
    const running = this.running.get(name);
    if (running) return running;
    const started = Promise.resolve()
      .then(() => updateWorkflow(name))
      .finally(() => this.running.delete(name));
    this.running.set(name, started);
    return started;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
