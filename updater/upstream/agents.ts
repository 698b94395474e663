/**
 * One undici Agent per upstream origin: keep-alive pool bounded by the configured
 * concurrency, the grid certificate and key as TLS client certificate, and server
 * certificates verified against X509_CERT_DIR (plus Node's default roots) — unlike the
 * original, which verified nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Agent } from 'undici';
import { ConfigError } from '../../lib/errors.js';
import type { UpstreamConfig } from '../../lib/config.js';

export interface TlsCredentials {
  cert: string | undefined;
  key: string | undefined;
  /** undefined = Node's default trust store (bundled roots + NODE_EXTRA_CA_CERTS). */
  ca: string[] | undefined;
}

/** CA files in a grid certificate directory: PEM files and OpenSSL hash links (`<hash>.0`). */
const CA_FILE = /\.(pem|crt|\d+)$/;

function readRequired(file: string, what: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check ${variable}`,
    );
  }
}

/** The trust store Node would use by default, where this Node version can tell (≥ 22.15). */
function defaultCertificates(): readonly string[] {
  const getter = (tls as { getCACertificates?: (kind?: string) => string[] }).getCACertificates;
  return getter === undefined ? tls.rootCertificates : getter('default');
}

export function loadTlsCredentials(config: UpstreamConfig): TlsCredentials {
  if ((config.certFile === undefined) !== (config.keyFile === undefined)) {
    throw new ConfigError(
      'give both a client certificate and its key (USERCRT and USERKEY), or neither',
    );
  }
  const cert =
    config.certFile === undefined
      ? undefined
      : readRequired(config.certFile, 'client certificate', 'USERCRT');
  const key =
    config.keyFile === undefined
      ? undefined
      : readRequired(config.keyFile, 'client key', 'USERKEY');
  if (config.caDir === undefined) return { cert, key, ca: undefined };
  let names: string[];
  try {
    names = readdirSync(config.caDir)
      .filter((name) => CA_FILE.test(name))
      .sort();
  } catch (err) {
    throw new ConfigError(
      `X509_CERT_DIR=${config.caDir} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at a directory of CA PEM files`,
    );
  }
  const pems = names
    .map((name) => readFileSync(path.join(config.caDir as string, name), 'utf8'))
    .filter((text) => text.includes('-----BEGIN CERTIFICATE-----'));
  if (pems.length === 0)
    throw new ConfigError(
      `X509_CERT_DIR=${config.caDir} holds no PEM certificates (*.pem, *.crt, <hash>.0)`,
    );
  // The grid CAs verify cmsweb; public roots still verify auth.cern.ch and the PdmV hosts.
  return { cert, key, ca: [...defaultCertificates(), ...pems] };
}

const CONNECT_TIMEOUT_MS = 10_000;

export interface AgentOptions {
  credentials: TlsCredentials;
  connections: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export function createAgent(options: AgentOptions): Agent {
  const { cert, key, ca } = options.credentials;
  // Built once: given cert/key/ca instead, every new connection builds its own context
  // (~20 ms of CPU with the default roots, the event loop blocked meanwhile).
  const secureContext = tls.createSecureContext({
    ...(cert === undefined ? {} : { cert, key }),
    ...(ca === undefined ? {} : { ca }),
  });
  return new Agent({
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connect: {
      rejectUnauthorized: true,
      timeout: CONNECT_TIMEOUT_MS,
      secureContext,
    },
  });
}

export interface OriginUse {
  baseUrl: string;
  /** Connections this user of the origin may hold open at once. */
  connections: number;
  timeoutMs: number;
}

/** Agents keyed by origin; users of one origin (ReqMgr2 and WMStats on cmsweb) share its agent. */
export class AgentPool {
  private readonly agents = new Map<string, Agent>();

  constructor(credentials: TlsCredentials, uses: readonly OriginUse[]) {
    const merged = new Map<string, { connections: number; timeoutMs: number }>();
    for (const use of uses) {
      const origin = new URL(use.baseUrl).origin;
      const seen = merged.get(origin);
      merged.set(origin, {
        connections: (seen?.connections ?? 0) + use.connections,
        timeoutMs: Math.max(seen?.timeoutMs ?? 0, use.timeoutMs),
      });
    }
    for (const [origin, { connections, timeoutMs }] of merged) {
      this.agents.set(
        origin,
        createAgent({
          credentials,
          connections,
          headersTimeoutMs: timeoutMs,
          bodyTimeoutMs: timeoutMs,
        }),
      );
    }
  }

  agentFor(baseUrl: string): Agent {
    const agent = this.agents.get(new URL(baseUrl).origin);
    if (agent === undefined)
      throw new Error(`no agent for ${baseUrl}: list it when creating the AgentPool`);
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
  }
}
