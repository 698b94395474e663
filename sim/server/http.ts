/**
 * The HTTPS side of the simulator: one listener per upstream origin, routing by path,
 * cmsweb-style client-certificate checks, injected faults, and response writing (including
 * the broken kinds of responses faults call for).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { EndpointName, FaultDecision, Faults } from '../faults.js';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Sent with Transfer-Encoding: chunked (CouchDB `_changes`), else with Content-Length. */
  chunked?: boolean;
}

export interface Route {
  endpoint: EndpointName;
  method: string;
  pattern: RegExp;
  handle(request: SimRequest, match: RegExpExecArray): SimResponse | Promise<SimResponse>;
  /** The datasets a request names, for faults restricted to one dataset (DBS routes). */
  datasetsOf?(request: SimRequest): string[];
}

export interface OriginDefinition {
  name: string;
  /** cmsweb front ends: no valid client certificate → 401 with an empty body. */
  requireClientCertificate: boolean;
  routes: Route[];
  /** The error an unknown path gets, in this origin's style. */
  notFound(request: SimRequest): SimResponse;
  /** A server error body in this origin's style (for injected 5xx). */
  serverError(request: SimRequest, status: number): SimResponse;
}

export interface TlsServerOptions {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const MAX_BODY = 16 * 1024 * 1024;

const PROXY_ERROR_PAGE = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>502 Proxy Error</title>
</head><body>
<h1>Proxy Error</h1>
<p>The proxy server received an invalid
response from an upstream server.<br />
The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p></p>
</body></html>
`;

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: `${JSON.stringify(value)}\n`,
  };
}

/** A running listener for one origin. */
export class OriginServer {
  private readonly server: https.Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly origin: OriginDefinition,
    tls: TlsServerOptions,
    private readonly faults: Faults,
    private readonly counts: Record<string, number>,
  ) {
    this.server = https.createServer(
      {
        key: tls.keyPem,
        cert: tls.certPem,
        ca: [tls.caPem],
        requestCert: origin.requireClientCertificate,
        // The chain is checked per request below, to answer like cmsweb (401) instead of failing the handshake.
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => {
          if (!res.headersSent)
            write(res, json(500, { error: 'simulator_error', reason: String(err) }));
          else res.destroy();
        });
      },
    );
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req);
    if (request === undefined) {
      write(res, json(413, { error: 'too_large', reason: 'request body over 16 MB' }));
      return;
    }
    const socket = req.socket as TLSSocket;
    if (this.origin.requireClientCertificate && !socket.authorized) {
      write(res, { status: 401, body: '' });
      return;
    }
    let match: RegExpExecArray | null = null;
    const route = this.origin.routes.find(
      (r) => r.method === request.method && (match = r.pattern.exec(request.path)) !== null,
    );
    if (route === undefined || match === null) {
      const pathKnown = this.origin.routes.some((r) => r.pattern.test(request.path));
      write(
        res,
        pathKnown
          ? json(405, {
              error: 'method_not_allowed',
              reason: `Only ${this.methodsOf(request.path)} allowed`,
            })
          : this.origin.notFound(request),
      );
      return;
    }
    this.counts[route.endpoint] = (this.counts[route.endpoint] ?? 0) + 1;
    const decision = this.faults.decide(route.endpoint, route.datasetsOf?.(request) ?? []);
    if (decision.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    if (decision.fault === undefined || decision.fault === 'truncate') {
      const response = await route.handle(request, match);
      write(res, response, decision.fault === 'truncate' ? decision : undefined);
      return;
    }
    this.injectFault(request, req, res, decision);
  }

  private injectFault(
    request: SimRequest,
    req: IncomingMessage,
    res: ServerResponse,
    decision: FaultDecision,
  ): void {
    switch (decision.fault) {
      case 'timeout':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'reset':
        resetConnection(req.socket as TLSSocket);
        return;
      case 'unauthorized':
        write(res, { status: 401, body: '' });
        return;
      case 'htmlError':
        write(res, {
          status: 502,
          headers: { 'Content-Type': 'text/html; charset=iso-8859-1' },
          body: PROXY_ERROR_PAGE,
        });
        return;
      case 'status5xx':
        write(
          res,
          this.origin.serverError(
            request,
            [500, 502, 503, 504][Math.floor(decision.variant * 4)] ?? 503,
          ),
        );
        return;
      case 'dbsListError': {
        const status = decision.variant < 0.5 ? 400 : 500;
        write(
          res,
          dbsErrorResponse(
            request,
            status,
            status === 400 ? 113 : 103,
            status === 400
              ? 'DBSError Code:113 Description:validation error'
              : 'DBSError Code:103 Description:DBS DB query error, e.g. mailformed SQL statement',
            'simulated failure',
          ),
        );
        return;
      }
      default:
        throw new Error(`unhandled fault ${String(decision.fault)}`);
    }
  }

  private methodsOf(path: string): string {
    return [
      ...new Set(this.origin.routes.filter((r) => r.pattern.test(path)).map((r) => r.method)),
    ].join(', ');
  }
}

/**
 * Sends a TCP RST. A TLS socket cannot do it itself (its handle is not TCP); its raw
 * socket (`_parent`, internal but long-standing) can. Falls back to a plain close.
 */
function resetConnection(socket: TLSSocket): void {
  const raw = (socket as TLSSocket & { _parent?: { resetAndDestroy?: () => void } })._parent;
  if (typeof raw?.resetAndDestroy === 'function') raw.resetAndDestroy();
  else socket.destroy();
}

async function readRequest(req: IncomingMessage): Promise<SimRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  // Clients may send raw `/`, `[`, `]`, `,` and quotes in the query (Stats2 does not encode).
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return {
    method: req.method ?? 'GET',
    path,
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

/**
 * Writes a response. With a truncate decision the body stops half-way: either the
 * connection drops mid-body, or the message is complete but its JSON is cut.
 */
function write(res: ServerResponse, response: SimResponse, truncate?: FaultDecision): void {
  const body = Buffer.from(response.body);
  const headers: Record<string, string | number> = { ...response.headers };
  if (truncate !== undefined && body.length > 1) {
    const half = body.subarray(0, Math.floor(body.length / 2));
    if (truncate.variant < 0.5) {
      if (!response.chunked) headers['Content-Length'] = body.length;
      res.writeHead(response.status, headers);
      res.write(half, () => res.destroy());
    } else {
      headers['Content-Length'] = half.length;
      res.writeHead(response.status, headers);
      res.end(half);
    }
    return;
  }
  if (response.chunked) {
    res.writeHead(response.status, headers);
    const chunkSize = 64 * 1024;
    for (let offset = 0; offset < body.length; offset += chunkSize)
      res.write(body.subarray(offset, offset + chunkSize));
    res.end();
    return;
  }
  headers['Content-Length'] = body.length;
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * A dbs2go error: HTTP status plus a JSON list holding one error object
 * (docs/upstreams.md#dbs-errors).
 */
export function dbsErrorResponse(
  request: SimRequest,
  status: number,
  code: number,
  reason: string,
  message: string,
): SimResponse {
  const error = {
    error: { reason, message, function: 'dbs.Validate', code },
    http: {
      method: request.method,
      code: status,
      timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ' +0000 UTC'),
      path: request.path,
      user_agent: request.headers['user-agent'] ?? '',
      x_forwarded_host: 'cmsweb-prod.cern.ch',
      x_forwarded_for: '127.0.0.1',
      remote_addr: '127.0.0.1:0',
    },
    exception: status,
    type: 'HTTPError',
    message: `${reason} Message:${message}`,
  };
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: `[${JSON.stringify(error)}]\n`,
  };
}
