/**
 * A throw-away PKI for tests: a CA, a server certificate for localhost, and a client
 * certificate, all signed by the CA (RSA keys from node:crypto, certificates by forge).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

export interface TestPki {
  ca: Pem;
  server: Pem;
  client: Pem;
}

export function makePki(): TestPki {
  const ca = certificate({ commonName: 'Stats2 Test CA', keys: rsaKeys(), isCa: true });
  const server = certificate({
    commonName: 'localhost',
    keys: rsaKeys(),
    issuer: ca,
    altNames: true,
  });
  const client = certificate({ commonName: 'stats2 robot', keys: rsaKeys(), issuer: ca });
  return { ca, server, client };
}

function rsaKeys(): { key: string; publicKey: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function certificate(options: {
  commonName: string;
  keys: { key: string; publicKey: string };
  isCa?: boolean;
  issuer?: Pem;
  altNames?: boolean;
}): Pem {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.keys.publicKey);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(
    options.issuer ? forge.pki.certificateFromPem(options.issuer.cert).subject.attributes : subject,
  );
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.isCa === true }];
  if (options.isCa) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true });
  if (options.altNames) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    });
  }
  cert.setExtensions(extensions);
  cert.sign(
    forge.pki.privateKeyFromPem(options.issuer?.key ?? options.keys.key),
    forge.md.sha256.create(),
  );
  return { cert: forge.pki.certificateToPem(cert), key: options.keys.key };
}
