/**
 * One CouchDB client over several nodes of one cluster (`COUCHDB_URL` plus
 * `COUCHDB_FAILOVER_URLS`): every request goes to the first node in the configured order
 * that is not marked down, and is sent again to the next node when its node cannot be
 * reached or drops the connection before answering. Any node of a CouchDB cluster answers
 * any request, and sequences from one node are valid on the others.
 *
 * A request that may have reached the node that dropped it is sent again too: CouchDB's
 * revisions make that safe (a repeated write of what the first attempt already wrote is
 * refused as a conflict, which the read-modify-write callers settle by reading again).
 * The one exception is `POST /db`, where the server picks the document id: it is only
 * repeated when it never left this process.
 *
 * A node that failed is marked down for a while (2 s, doubling while it keeps failing,
 * up to 30 s) and tried again after that; a node that answers is preferred again at once.
 * An answer with an error status is passed on as it is: only a node that does not answer
 * is a reason to ask another one.
 */
import { Agent, DecoratorHandler, Dispatcher } from 'undici';

const FIRST_DOWN_MS = 2_000;
const LONGEST_DOWN_MS = 30_000;

/** Errors that say "this node did not answer", as opposed to an answer or our own abort. */
const NODE_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Failures in which the request cannot have been sent. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface Node {
  origin: string;
  downUntil: number;
  downForMs: number;
}

export interface FailoverOptions {
  /** How long a node that failed is left alone the first time (default 2 s). */
  firstDownMs?: number;
  /** The clock, in milliseconds (default Date.now). */
  now?: () => number;
}

export class FailoverDispatcher extends Dispatcher {
  private readonly agent: Agent;
  private readonly nodes: Node[];
  private readonly firstDownMs: number;
  private readonly now: () => number;

  /** `urls`: the nodes' base URLs, preferred first. */
  constructor(urls: readonly string[], agentOptions: Agent.Options, options: FailoverOptions = {}) {
    super();
    if (urls.length === 0) throw new Error('FailoverDispatcher needs at least one node URL');
    this.agent = new Agent(agentOptions);
    this.nodes = urls.map((url) => ({ origin: new URL(url).origin, downUntil: 0, downForMs: 0 }));
    this.firstDownMs = options.firstDownMs ?? FIRST_DOWN_MS;
    this.now = options.now ?? Date.now;
  }

  /** The nodes' origins, in the order a request made now would try them. */
  order(now = this.now()): string[] {
    const up = this.nodes.filter((node) => node.downUntil <= now);
    const down = this.nodes
      .filter((node) => node.downUntil > now)
      .sort((a, b) => a.downUntil - b.downUntil);
    return [...up, ...down].map((node) => node.origin);
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    // The caller may speak undici's older handler interface (Node 20's fetch does): the
    // decorator speaks the current one to us and translates.
    const downstream: Dispatcher.DispatchHandler = new DecoratorHandler(handler);
    replayableBody(options.body).then(
      (body) => new FailoverRequest(this, { ...options, body }, downstream).next(),
      (err: unknown) => downstream.onResponseError?.(new CallerController(), err as Error),
    );
    return true;
  }

  override close(): Promise<void> {
    return this.agent.close();
  }

  override destroy(): Promise<void> {
    return this.agent.destroy();
  }

  /** @internal */
  send(origin: string, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    this.agent.dispatch({ ...options, origin }, handler);
  }

  /** @internal */
  failed(origin: string): void {
    const node = this.nodeOf(origin);
    node.downForMs = Math.min(
      LONGEST_DOWN_MS,
      node.downForMs === 0 ? this.firstDownMs : node.downForMs * 2,
    );
    node.downUntil = this.now() + node.downForMs;
  }

  /** @internal */
  answered(origin: string): void {
    const node = this.nodeOf(origin);
    node.downForMs = 0;
    node.downUntil = 0;
  }

  private nodeOf(origin: string): Node {
    return this.nodes.find((node) => node.origin === origin) as Node;
  }
}

/** One request through the nodes in turn, until one answers or every one has failed. */
class FailoverRequest implements Dispatcher.DispatchHandler {
  private readonly origins: string[];
  private readonly caller = new CallerController();
  private origin = '';
  private started = false;
  private answered = false;

  constructor(
    private readonly failover: FailoverDispatcher,
    private readonly options: Dispatcher.DispatchOptions,
    private readonly downstream: Dispatcher.DispatchHandler,
  ) {
    this.origins = failover.order();
  }

  next(): void {
    this.origin = this.origins.shift() as string;
    this.failover.send(this.origin, this.options, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.caller.attempt = controller;
    if (this.started) return;
    this.started = true;
    this.downstream.onRequestStart?.(this.caller, context);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    this.answered = true;
    this.failover.answered(this.origin);
    this.downstream.onResponseStart?.(this.caller, statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.downstream.onResponseData?.(this.caller, chunk);
  }

  onResponseEnd(
    _controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.downstream.onResponseEnd?.(this.caller, trailers);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const code = (error as { code?: string }).code ?? '';
    const nodeFailed = !this.answered && !this.caller.aborted && NODE_FAILURES.has(code);
    if (nodeFailed) this.failover.failed(this.origin);
    if (nodeFailed && this.origins.length > 0 && this.repeatable(code)) {
      this.next();
      return;
    }
    this.downstream.onResponseError?.(this.caller, error);
  }

  private repeatable(code: string): boolean {
    if (NOT_SENT.has(code)) return true;
    const createsWithNewId =
      this.options.method === 'POST' && /^\/[^/?]+\/?(\?|$)/.test(this.options.path);
    return !createsWithNewId;
  }
}

/**
 * What the caller holds to pause, resume or abort its request: passed on to whichever
 * attempt is current, so that a pause or an abort survives a change of node.
 */
class CallerController implements Dispatcher.DispatchController {
  private current: Dispatcher.DispatchController | undefined;
  private isPaused = false;
  private abortReason: Error | null = null;

  set attempt(controller: Dispatcher.DispatchController) {
    this.current = controller;
    if (this.abortReason) controller.abort(this.abortReason);
    else if (this.isPaused) controller.pause();
  }

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  abort(reason: Error): void {
    this.abortReason = reason;
    this.current?.abort(reason);
  }

  pause(): void {
    this.isPaused = true;
    this.current?.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.current?.resume();
  }
}

/** Request bodies are read into memory once so that they can be sent again (CouchDB's are small). */
async function replayableBody(
  body: Dispatcher.DispatchOptions['body'],
): Promise<string | Buffer | Uint8Array | null | undefined> {
  if (body === null || body === undefined) return body;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new TypeError('a CouchDB request body must be a string, bytes or a stream of them');
}
