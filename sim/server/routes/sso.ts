/**
 * CERN SSO (Keycloak) API-access token endpoint (docs/upstreams.md#cern-sso-tokens): a
 * client-credentials grant with an `audience`; answers an RS256 JWT plus Keycloak's
 * response fields.
 */
import { randomUUID } from 'node:crypto';
import type { JwtKeys } from '../../jwt.js';
import { json, type Route, type SimRequest, type SimResponse } from '../http.js';

export interface SsoSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Application client ids a token may be issued for. */
  audiences: string[];
  tokenLifetimeSeconds: number;
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function oauthError(status: number, error: string, description: string): SimResponse {
  return json(status, { error, error_description: description }, NO_STORE);
}

/** Client authentication: form fields (client_secret_post) or HTTP Basic (client_secret_basic). */
function clientCredentials(
  request: SimRequest,
  form: URLSearchParams,
): { id: string | null; secret: string | null } {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (basic !== null) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  return { id: form.get('client_id'), secret: form.get('client_secret') };
}

function token(settings: SsoSettings, keys: JwtKeys, request: SimRequest): SimResponse {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    return oauthError(
      400,
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded',
    );
  }
  const form = new URLSearchParams(request.body.toString('utf8'));
  const client = clientCredentials(request, form);
  if (client.id !== settings.clientId || client.secret !== settings.clientSecret) {
    return oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  }
  if (form.get('grant_type') !== 'client_credentials')
    return oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
  const audience = form.get('audience');
  if (audience === null || !settings.audiences.includes(audience))
    return oauthError(400, 'invalid_request', 'Audience not found');
  const now = Math.floor(Date.now() / 1000);
  const account = `service-account-${settings.clientId}`;
  const accessToken = keys.sign({
    exp: now + settings.tokenLifetimeSeconds,
    iat: now,
    jti: randomUUID(),
    iss: settings.issuer,
    aud: audience,
    sub: account,
    typ: 'Bearer',
    azp: settings.clientId,
    scope: 'profile email',
    cern_roles: ['manager'],
    clientId: settings.clientId,
    preferred_username: account,
    cern_upn: account,
  });
  return json(
    200,
    {
      access_token: accessToken,
      expires_in: settings.tokenLifetimeSeconds,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'profile email',
    },
    NO_STORE,
  );
}

export function ssoRoutes(settings: SsoSettings, keys: JwtKeys): Route[] {
  return [
    {
      endpoint: 'token',
      method: 'POST',
      pattern: /^\/auth\/realms\/cern\/api-access\/token\/?$/,
      handle: (req) => token(settings, keys, req),
    },
  ];
}
