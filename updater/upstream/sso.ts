/**
 * CERN SSO client-credentials tokens (docs/upstreams.md#cern-sso-tokens) with
 * openid-client: one token per audience, reused until 75 % of its `expires_in` has passed.
 * The token endpoint is configured statically (no discovery) and its HTTP goes through our
 * undici agent.
 */
import * as oidc from 'openid-client';
import { fetch, type Dispatcher } from 'undici';
import type { Logger } from '../../lib/logger.js';
import { excerptOf, UpstreamError } from './errors.js';
import { httpError, transportError } from './http.js';
import type { Limiter } from './limiter.js';

export interface TokenSourceOptions {
  ssoUrl: string;
  clientId: string;
  clientSecret: string;
  dispatcher: Dispatcher;
  limiter: Limiter;
  timeoutMs: number;
  logger: Logger;
}

/** Share of `expires_in` after which a cached token is replaced (as the original does). */
const REUSE_FRACTION = 0.75;
const ENDPOINT = 'sso.token';

interface CachedToken {
  accessToken: string;
  renewAt: number;
}

export class TokenSource {
  private readonly configuration: oidc.Configuration;
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: TokenSourceOptions) {
    const realm = `${options.ssoUrl}/auth/realms/cern`;
    this.configuration = new oidc.Configuration(
      { issuer: realm, token_endpoint: `${realm}/api-access/token` },
      options.clientId,
      { client_secret: options.clientSecret },
      oidc.ClientSecretPost(options.clientSecret),
    );
    this.configuration.timeout = Math.ceil(options.timeoutMs / 1000);
    this.configuration[oidc.customFetch] = (url, init) =>
      fetch(url, { ...init, dispatcher: options.dispatcher }) as unknown as Promise<Response>;
  }

  /** A bearer token for `audience` (an application client id), from cache when still fresh. */
  async token(audience: string): Promise<string> {
    const cached = this.cache.get(audience);
    if (cached !== undefined && Date.now() < cached.renewAt) return cached.accessToken;
    let pending = this.inFlight.get(audience);
    if (pending === undefined) {
      pending = this.fetchToken(audience).finally(() => this.inFlight.delete(audience));
      this.inFlight.set(audience, pending);
    }
    return pending;
  }

  /** Drops a token the service refused, so the next call asks SSO again. */
  forget(audience: string): void {
    this.cache.delete(audience);
  }

  private async fetchToken(audience: string): Promise<string> {
    const requestedAt = Date.now();
    const response = await this.options.limiter.run(async () => {
      try {
        return await oidc.clientCredentialsGrant(this.configuration, { audience });
      } catch (err) {
        throw await tokenError(err);
      }
    });
    if (typeof response.expires_in === 'number' && response.expires_in > 0) {
      this.cache.set(audience, {
        accessToken: response.access_token,
        renewAt: requestedAt + response.expires_in * 1000 * REUSE_FRACTION,
      });
    }
    this.options.logger.debug(
      { audience, expiresIn: response.expires_in },
      'obtained an SSO token',
    );
    return response.access_token;
  }
}

/** openid-client puts the unread Response in `cause` (our fetch's Response: duck-typed). */
function responseIn(cause: unknown): { status: number; text(): Promise<string> } | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const candidate = cause as { status?: unknown; text?: unknown };
  return typeof candidate.status === 'number' && typeof candidate.text === 'function'
    ? (cause as { status: number; text(): Promise<string> })
    : undefined;
}

/** Maps openid-client / fetch failures to UpstreamError, reading any unread error body. */
async function tokenError(err: unknown): Promise<UpstreamError> {
  if (err instanceof oidc.ResponseBodyError) {
    return new UpstreamError(
      'UPSTREAM_HTTP',
      `${ENDPOINT}: CERN SSO refused the token request: ${err.error}${err.error_description === undefined ? '' : ` (${err.error_description})`}; check CALLBACK_CLIENT_ID/CALLBACK_CLIENT_SECRET and the audience`,
      {
        endpoint: ENDPOINT,
        status: err.status,
        excerpt: excerptOf(
          JSON.stringify({ error: err.error, error_description: err.error_description }),
        ),
      },
    );
  }
  if (err instanceof oidc.ClientError) {
    const code = err.code ?? '';
    const response = responseIn(err.cause);
    if (response !== undefined && response.status !== 200)
      return httpError(ENDPOINT, response.status, await response.text().catch(() => ''));
    if (code === 'OAUTH_TIMEOUT')
      return new UpstreamError('UPSTREAM_TIMEOUT', `${ENDPOINT}: no answer in time`, {
        endpoint: ENDPOINT,
        transient: true,
        cause: err,
      });
    if (code === 'OAUTH_RESPONSE_IS_NOT_JSON' || code === 'OAUTH_PARSE_ERROR') {
      const text = response === undefined ? '' : await response.text().catch(() => '');
      return new UpstreamError('UPSTREAM_BAD_BODY', `${ENDPOINT}: the token answer is not JSON`, {
        endpoint: ENDPOINT,
        excerpt: excerptOf(text),
        transient: true,
        cause: err,
      });
    }
    return new UpstreamError(
      'UPSTREAM_SCHEMA',
      `${ENDPOINT}: unexpected token answer (${code}: ${err.message})`,
      { endpoint: ENDPOINT, cause: err },
    );
  }
  return transportError(ENDPOINT, err);
}
