/**
 * Upstream check: one HTTPS request to ReqMgr2's `_changes` feed with the client
 * certificate, as the update run makes them (`since=now&limit=0`: an empty answer, cheap
 * for cmsweb, and a request cmsweb and the simulator both serve). It proves the network
 * path, the server's certificate chain against our CA roots, and that cmsweb accepts
 * our certificate.
 */
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import type { UpstreamConfig } from '../lib/config.js';
import type { ClientCredentials } from './certificates.js';
import { fail, ok, type CheckResult } from './result.js';

const TIMEOUT_MS = 15_000;
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export async function upstreamCheck(
  upstream: UpstreamConfig,
  credentials: ClientCredentials | undefined,
): Promise<CheckResult> {
  const url = `${upstream.cmswebUrl}/couchdb/reqmgr_workload_cache/_changes?since=now&limit=0`;
  const name = 'upstream reachable';
  if (credentials === undefined) {
    return fail(
      name,
      `${url} not tried: the client certificate, key or CA folder is not usable (see the certificate checks)`,
      'fix those first',
    );
  }

  const dispatcher = new Agent({
    connect: {
      cert: credentials.cert,
      key: credentials.key,
      // A `ca` list replaces Node's roots: keep them, and add the grid CAs.
      ...(credentials.ca ? { ca: [...rootCertificates, ...credentials.ca] } : {}),
      timeout: TIMEOUT_MS,
    },
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  const started = Date.now();
  try {
    const response = await request(url, { dispatcher, headers: { accept: 'application/json' } });
    await response.body.dump();
    const ms = Date.now() - started;
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return ok(name, `${url} answered ${response.statusCode} in ${ms} ms`);
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      return fail(
        name,
        `${url} refused the client certificate (HTTP ${response.statusCode})`,
        'use a certificate registered with cmsweb (CMS VO membership) in USERCRT / USERKEY',
      );
    }
    return fail(
      name,
      `${url} answered HTTP ${response.statusCode}`,
      'check CMSWEB_URL; if it is right, cmsweb has a problem: try again later',
    );
  } catch (err) {
    const code = errorCode(err);
    if (TLS_TRUST_CODES.has(code)) {
      return fail(
        name,
        `${url}: the server's certificate is not trusted (${code})`,
        'set X509_CERT_DIR to the grid CA folder (/etc/grid-security/certificates) or NODE_EXTRA_CA_CERTS to the CA file',
      );
    }
    return fail(
      name,
      `${url} cannot be reached (${code})`,
      'check CMSWEB_URL, DNS and the firewall from this host',
    );
  } finally {
    await dispatcher.close();
  }
}

function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return e.cause?.code ?? e.code ?? e.message ?? String(err);
}
