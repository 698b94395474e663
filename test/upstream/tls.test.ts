/** Transport security: the server is verified, the client certificate is required and read once. */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lib/errors.js';
import type { Simulator } from '../../sim/index.js';
import { UpstreamError } from '../../updater/upstream/index.js';
import { startTestSimulator } from '../sim/support.js';
import { clientFor } from './support.js';

describe('upstream TLS', () => {
  let sim: Simulator;

  before(async () => {
    sim = await startTestSimulator({ seed: 7, workflows: 50, active: 5 });
  });
  after(() => sim.close());

  it('refuses a server its CAs do not vouch for, without retrying', async () => {
    const client = clientFor(sim, { env: { X509_CERT_DIR: undefined } });
    try {
      const err = await client.upstream.reqmgr.changes(0, 1).catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(UpstreamError)
        .and.include({ code: 'UPSTREAM_TLS', transient: false });
      expect((err as Error).message).to.include('X509_CERT_DIR');
      expect(client.logs.join('\n')).to.not.include('retrying');
    } finally {
      await client.upstream.close();
    }
  });

  it('is answered 401 with an empty body without a client certificate', async () => {
    const client = clientFor(sim, { env: { USERCRT: undefined, USERKEY: undefined } });
    try {
      const before = sim.counts.changes ?? 0;
      const err = await client.upstream.reqmgr.changes(0, 1).catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(UpstreamError)
        .and.include({ code: 'UPSTREAM_HTTP', status: 401, excerpt: '' });
      expect((err as Error).message).to.include('empty body');
      expect(sim.counts.changes ?? 0).to.equal(before);
    } finally {
      await client.upstream.close();
    }
  });

  it('fails fast on unreadable certificate files or an empty CA directory', async () => {
    expect(() => clientFor(sim, { env: { USERCRT: '/nonexistent/usercert.pem' } })).to.throw(
      ConfigError,
      /USERCRT/,
    );
    expect(() =>
      clientFor(sim, {
        env: { USERKEY: undefined, X509_USER_KEY: undefined, USERCRT: sim.tls.clientCertFile },
      }),
    ).to.throw(ConfigError, /USERKEY/);
    const empty = await mkdtemp(path.join(tmpdir(), 'stats2-empty-ca-'));
    try {
      expect(() => clientFor(sim, { env: { X509_CERT_DIR: empty } })).to.throw(
        ConfigError,
        /no PEM certificates/,
      );
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});
