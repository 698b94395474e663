/**
 * The simulator's X.509 material: a CA, a server certificate for 127.0.0.1/localhost and a
 * grid-style client certificate, all signed by that CA, plus the SSO token-signing key.
 * Keys come from node:crypto, certificates are built and signed with node-forge. Files are
 * generated once per directory and reused.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';

export interface TlsFiles {
  caFile: string;
  /** A directory holding only the CA (what X509_CERT_DIR points at). */
  caDir: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export interface TlsMaterial extends TlsFiles {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** RS256 key the simulated CERN SSO signs access tokens with. */
  tokenKeyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** domainComponent (DC), which node-forge has no short name for. */
const DC = '0.9.2342.19200300.100.1.25';

const CLIENT_SUBJECT: forge.pki.CertificateField[] = [
  { type: DC, value: 'ch' },
  { type: DC, value: 'cern' },
  { shortName: 'OU', value: 'Organic Units' },
  { shortName: 'OU', value: 'Users' },
  { shortName: 'CN', value: 'stats2sim' },
  { shortName: 'CN', value: 'Robot: Stats2 Simulator Client' },
];

function newRsaKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

function serialNumber(): string {
  // Positive (leading bit clear) 16-byte serial.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

/** A self-signed certificate authority. */
export function createCertificateAuthority(commonName: string): IssuedCertificate {
  const key = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - 86400_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86400_000);
  const subject = [
    { shortName: 'O', value: 'Stats2 Simulator' },
    { shortName: 'CN', value: commonName },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}

/** A server (127.0.0.1, localhost) or client (grid user DN) certificate signed by `ca`. */
export function issueCertificate(
  ca: IssuedCertificate,
  kind: 'server' | 'client',
): IssuedCertificate {
  const key = newRsaKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - 86400_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86400_000);
  cert.setSubject(kind === 'server' ? [{ shortName: 'CN', value: 'localhost' }] : CLIENT_SUBJECT);
  cert.setIssuer(caCert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    kind === 'server'
      ? { name: 'extKeyUsage', serverAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ];
  if (kind === 'server') {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    });
  }
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}

/** Loads the material from `dir`, generating whatever is missing (all of it, or nothing). */
export async function ensureTlsMaterial(dir: string): Promise<TlsMaterial> {
  const files = {
    caFile: path.join(dir, 'ca.pem'),
    caKeyFile: path.join(dir, 'ca-key.pem'),
    caDir: path.join(dir, 'certificates'),
    serverCertFile: path.join(dir, 'server.pem'),
    serverKeyFile: path.join(dir, 'server-key.pem'),
    clientCertFile: path.join(dir, 'usercert.pem'),
    clientKeyFile: path.join(dir, 'userkey.pem'),
    tokenKeyFile: path.join(dir, 'sso-signing-key.pem'),
  };
  const complete = Object.values(files).every((file) => existsSync(file));
  if (!complete) {
    await mkdir(files.caDir, { recursive: true });
    const ca = createCertificateAuthority('Stats2 Simulator CA');
    const server = issueCertificate(ca, 'server');
    const client = issueCertificate(ca, 'client');
    await writeFile(files.caFile, ca.certPem);
    await writeFile(path.join(files.caDir, 'stats2-sim-ca.pem'), ca.certPem);
    await writeFile(files.caKeyFile, ca.keyPem, { mode: 0o600 });
    await writeFile(files.serverCertFile, server.certPem);
    await writeFile(files.serverKeyFile, server.keyPem, { mode: 0o600 });
    await writeFile(files.clientCertFile, client.certPem);
    await writeFile(files.clientKeyFile, client.keyPem, { mode: 0o600 });
    await writeFile(files.tokenKeyFile, newRsaKey().privatePem, { mode: 0o600 });
  }
  const { caKeyFile: _caKey, tokenKeyFile, ...tlsFiles } = files;
  return {
    ...tlsFiles,
    caPem: await readFile(files.caFile, 'utf8'),
    serverCertPem: await readFile(files.serverCertFile, 'utf8'),
    serverKeyPem: await readFile(files.serverKeyFile, 'utf8'),
    tokenKeyPem: await readFile(tokenKeyFile, 'utf8'),
  };
}
