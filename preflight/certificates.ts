/**
 * Certificate checks: the grid certificate and key (USERCRT / USERKEY, or the X509_*
 * names) are readable PEM, belong together and are valid now; X509_CERT_DIR holds CA
 * certificates. Also loads what the upstream check connects with.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { UpstreamConfig } from '../lib/config.js';
import { plural } from '../lib/plural.js';
import { fail, ok, warn, type CheckResult } from './result.js';

export interface ClientCredentials {
  cert: string;
  key: string;
  /** CA certificates from X509_CERT_DIR, undefined when it is not set. */
  ca: string[] | undefined;
}

const SOON_MS = 14 * 24 * 3600 * 1000;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

export function certificateChecks(
  upstream: UpstreamConfig,
  now = new Date(),
): { results: CheckResult[]; credentials?: ClientCredentials } {
  const cert = checkCertificate(upstream.certFile, now);
  const key = checkKey(upstream.keyFile, cert.certificate);
  const ca = checkCaDir(upstream.caDir);
  const results = [cert.result, key.result, ca.result];
  const usable = cert.pem !== undefined && key.pem !== undefined && ca.result.status !== 'fail';
  return {
    results,
    ...(usable
      ? { credentials: { cert: cert.pem as string, key: key.pem as string, ca: ca.certificates } }
      : {}),
  };
}

function checkCertificate(
  file: string | undefined,
  now: Date,
): { result: CheckResult; pem?: string; certificate?: X509Certificate } {
  const name = 'client certificate';
  if (file === undefined) {
    return {
      result: fail(
        name,
        'not configured',
        "set USERCRT (or X509_USER_CERT, or X509_USER_PROXY) to the grid certificate's PEM file",
      ),
    };
  }
  const text = readable(file);
  if (typeof text !== 'string') return { result: fail(name, `${file} ${text.problem}`, text.fix) };
  const block = pemBlocks(text).find((b) => b.label === 'CERTIFICATE');
  let certificate: X509Certificate;
  try {
    if (block === undefined) throw new Error('no certificate block');
    certificate = new X509Certificate(block.pem);
  } catch {
    return {
      result: fail(
        name,
        `${file} holds no PEM certificate`,
        'point USERCRT at the certificate in PEM form (-----BEGIN CERTIFICATE-----)',
      ),
    };
  }
  const validTo = new Date(certificate.validTo);
  const subject = certificate.subject.replace(/\n/g, ', ');
  const renew = 'renew the grid certificate and replace the file';
  if (new Date(certificate.validFrom) > now) {
    return {
      result: fail(
        name,
        `${file} is not valid before ${certificate.validFrom}`,
        'check the clock, or use the current certificate',
      ),
    };
  }
  if (validTo <= now) {
    return { result: fail(name, `${file} expired on ${certificate.validTo}`, renew) };
  }
  const result =
    validTo.getTime() - now.getTime() < SOON_MS
      ? warn(name, `${subject} expires on ${certificate.validTo}`, renew)
      : ok(name, `${subject}, valid until ${certificate.validTo}`);
  return { result, pem: text, certificate };
}

function checkKey(
  file: string | undefined,
  certificate: X509Certificate | undefined,
): { result: CheckResult; pem?: string } {
  const name = 'client key';
  if (file === undefined) {
    return {
      result: fail(
        name,
        'not configured',
        "set USERKEY (or X509_USER_KEY, or X509_USER_PROXY) to the PEM file of the certificate's private key",
      ),
    };
  }
  const text = readable(file);
  if (typeof text !== 'string') return { result: fail(name, `${file} ${text.problem}`, text.fix) };
  const blocks = pemBlocks(text).filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (
    blocks.some(
      (b) => b.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(b.pem),
    )
  ) {
    return {
      result: fail(
        name,
        `${file} is encrypted with a passphrase`,
        `store it decrypted and readable only by the service (openssl pkey -in ${file} -out userkey.pem; chmod 600 userkey.pem)`,
      ),
    };
  }
  let key: KeyObject;
  try {
    if (blocks[0] === undefined) throw new Error('no key block');
    key = createPrivateKey(blocks[0].pem);
  } catch {
    return {
      result: fail(
        name,
        `${file} holds no PEM private key`,
        'point USERKEY at the private key in PEM form (-----BEGIN PRIVATE KEY-----)',
      ),
    };
  }
  if (certificate !== undefined && !certificate.checkPrivateKey(key)) {
    return {
      result: fail(
        name,
        `${file} does not belong to the client certificate`,
        'point USERKEY at the key of the certificate in USERCRT',
      ),
    };
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return {
      result: warn(
        name,
        `${file} is readable by other users (mode ${mode.toString(8)})`,
        `chmod 600 ${file}`,
      ),
      pem: text,
    };
  }
  return { result: ok(name, `${file}${certificate ? ' matches the certificate' : ''}`), pem: text };
}

function checkCaDir(dir: string | undefined): { result: CheckResult; certificates?: string[] } {
  const name = 'CA certificates';
  if (dir === undefined) {
    return {
      result: ok(
        name,
        "X509_CERT_DIR not set: Node's built-in roots (and NODE_EXTRA_CA_CERTS) verify the servers",
      ),
    };
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    return {
      result: fail(
        name,
        `X509_CERT_DIR=${dir} cannot be read (${(err as NodeJS.ErrnoException).code})`,
        'point X509_CERT_DIR at a readable folder of CA PEM files (grid: /etc/grid-security/certificates)',
      ),
    };
  }
  const certificates: string[] = [];
  for (const entry of entries) {
    const text = readable(path.join(dir, entry));
    if (typeof text !== 'string') continue;
    for (const block of pemBlocks(text)) {
      if (block.label !== 'CERTIFICATE') continue;
      try {
        new X509Certificate(block.pem);
        certificates.push(block.pem);
      } catch {
        // Not a certificate after all; grid CA folders hold policy files too.
      }
    }
  }
  if (certificates.length === 0) {
    return {
      result: fail(
        name,
        `X509_CERT_DIR=${dir} holds no PEM certificate`,
        'point X509_CERT_DIR at the folder of CA certificates (grid: /etc/grid-security/certificates)',
      ),
    };
  }
  return {
    result: ok(name, `${plural(certificates.length, 'CA certificate')} in ${dir}`),
    certificates: [...new Set(certificates)],
  };
}

function readable(file: string): string | { problem: string; fix: string } {
  try {
    if (!statSync(file).isFile()) {
      return { problem: 'is not a file', fix: 'point the variable at the PEM file' };
    }
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const fix =
      code === 'EACCES'
        ? 'make it readable by the service user (with systemd: LoadCredential= in the unit, see the README)'
        : 'check the path';
    return { problem: `cannot be read (${code})`, fix };
  }
}

function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({
    label: match[1] as string,
    pem: match[0],
  }));
}
