/**
 * What an update (or verify) needs configured, checked before anything starts: each
 * throws a ConfigError naming the variables to set. The `update` command and the
 * website's `api/update` use them.
 */
import type { Config } from '../lib/config.js';
import { ConfigError } from '../lib/errors.js';
import type { CallbackTarget } from '../updater/upstream-port.js';

/** Says which variable is missing before anything starts. */
export function checkUpdateConfig(config: Config, triggers: readonly CallbackTarget[]): void {
  if (config.couch.url !== undefined && config.couch.authHeader === undefined) {
    throw new ConfigError(
      'update writes to CouchDB and needs an admin: put the credentials in COUCHDB_URL (http://user:password@host:5984) or set STATS_DB_AUTH_HEADER',
    );
  }
  checkUpstreamCertificate(config, 'update');
  if (triggers.length === 0) return;
  const missing = [
    config.callbacks.clientId ? undefined : 'CALLBACK_CLIENT_ID',
    config.callbacks.clientSecret ? undefined : 'CALLBACK_CLIENT_SECRET',
    triggers.includes('prod') && !config.callbacks.prodAudience
      ? 'APPLICATION_CLIENT_ID'
      : undefined,
    triggers.includes('dev') && !config.callbacks.devAudience
      ? 'DEV_APPLICATION_CLIENT_ID'
      : undefined,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigError(
      `--trigger-prod/--trigger-dev notify the PdmV services with CERN SSO tokens: set ${missing.join(', ')}`,
    );
  }
}

/** `action` talks to cmsweb: says which variables to set when the grid certificate is not configured. */
export function checkUpstreamCertificate(config: Config, action: string): void {
  if (!config.upstream.certFile || !config.upstream.keyFile) {
    throw new ConfigError(
      `${action} talks to cmsweb with a grid certificate: set USERCRT and USERKEY (or X509_USER_CERT and X509_USER_KEY, or X509_USER_PROXY) to its PEM files`,
    );
  }
}
