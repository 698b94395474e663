/** RS256 JSON Web Tokens, as CERN SSO issues them and the PdmV services verify them. */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwtCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export class JwtKeys {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(
    privateKeyPem: string,
    readonly keyId: string,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
  }

  sign(claims: Record<string, unknown>): string {
    const signingInput = `${encodePart({ alg: 'RS256', typ: 'JWT', kid: this.keyId })}.${encodePart(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** Checks structure, RS256 signature and `exp` (seconds) against `nowSeconds`. */
  verify(token: string, nowSeconds: number): JwtCheck {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [header, payload, signature] = parts as [string, string, string];
    let claims: Record<string, unknown>;
    try {
      const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
        alg?: unknown;
      };
      if (head.alg !== 'RS256') return { ok: false, reason: 'signature' };
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return { ok: false, reason: 'signature' };
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)
      return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}
