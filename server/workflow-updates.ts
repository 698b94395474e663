/**
 * `POST api/update`: updates one workflow now, for a caller holding the configured token.
 * The update itself is the updater's (injected as `updateWorkflow`); this module decides
 * who may trigger it and how often, and runs at most one update per workflow at a time.
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
  /** Per client address (default: 5 at once, then one every 12 s). */
  rateLimit?: RateLimit;
}

export class WorkflowUpdates {
  private readonly tokenDigest: Buffer | undefined;
  private readonly updateWorkflow: UpdateWorkflow | undefined;
  private readonly limiter: RateLimiter;
  private readonly running = new Map<string, Promise<UpdateOutcome>>();

  constructor(options: WorkflowUpdatesOptions) {
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.updateWorkflow = options.updateWorkflow;
    this.limiter = new RateLimiter(options.rateLimit ?? { burst: 5, intervalMs: 12_000 });
  }

  get enabled(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** Throws unless `client` is within its rate and `authorization` carries the token. */
  admit(client: string, authorization: string | undefined): void {
    const wait = this.limiter.take(client);
    if (wait > 0) {
      throw new HttpError(
        429,
        'TOO_MANY_REQUESTS',
        `too many update requests; try again in ${wait} s`,
        { 'Retry-After': String(wait) },
      );
    }
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
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
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(match[1] as string), this.tokenDigest as Buffer)) {
      throw new HttpError(403, 'FORBIDDEN', 'this token does not allow updates');
    }
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
