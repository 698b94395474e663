import { expect } from 'chai';
import type { UpdateOutcome } from '../../server/http/workflow-updates.js';
import { fixtureWorkflows, TASKCHAIN } from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const TOKEN = 'test-update-token-8d1f0c';

describe('website: api/update is protected', function () {
  describe('without STATS_UPDATE_TOKEN', () => {
    let site: TestWebsite;
    const calls: string[] = [];
    before(async () => {
      site = await startTestWebsite('update_off', fixtureWorkflows(), {
        updateWorkflow: async (name) => {
          calls.push(name);
          return { changed: true };
        },
      });
    });
    after(() => site.close());

    it('is off: 404 for any method, and nothing runs', async () => {
      for (const method of ['GET', 'POST']) {
        const response = await site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(response.status, method).to.equal(404);
        expect(await response.json()).to.deep.equal({
          error: 'NOT_FOUND',
          message: 'updates are off on this server',
        });
      }
      expect(calls).to.deep.equal([]);
    });
  });

  describe('with a token but no updater wired in', () => {
    let site: TestWebsite;
    before(async () => {
      site = await startTestWebsite('update_none', fixtureWorkflows(), { updateToken: TOKEN });
    });
    after(() => site.close());

    it('answers 503 to an authorised caller, 401 to others', async () => {
      const authorised = await site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(authorised.status).to.equal(503);
      expect(await authorised.json()).to.deep.equal({
        error: 'UNAVAILABLE',
        message: 'updates are not available on this server',
      });
      expect(
        (await site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, { method: 'POST' })).status,
      ).to.equal(401);
    });
  });

  describe('with a token and an updater', () => {
    let site: TestWebsite;
    const calls: string[] = [];
    let next: (name: string) => Promise<UpdateOutcome> = async () => ({
      changed: true,
      written: 1,
    });
    before(async () => {
      site = await startTestWebsite('update_on', fixtureWorkflows(), {
        updateToken: TOKEN,
        updateWorkflow: (name) => {
          calls.push(name);
          return next(name);
        },
        tuning: {
          updateRateLimit: { burst: 100, intervalMs: 10 },
          failedUpdateRateLimit: { burst: 100, intervalMs: 10 },
        },
      });
    });
    after(() => site.close());
    beforeEach(() => {
      calls.length = 0;
      next = async () => ({ changed: true, written: 1 });
    });

    const post = (
      query: string,
      headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
    ) => site.get(`/stats/api/update${query}`, { method: 'POST', headers });

    it('a good token runs the injected update and answers its outcome', async () => {
      const response = await post(`?workflow_name=${TASKCHAIN}`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({
        workflow_name: TASKCHAIN,
        changed: true,
        written: 1,
      });
      expect(calls).to.deep.equal([TASKCHAIN]);
    });

    it('GET (and other methods) get 405 with Allow: POST', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(response.status, method).to.equal(405);
        expect(response.headers.get('allow')).to.equal('POST');
      }
      expect(calls).to.deep.equal([]);
    });

    it('no token is 401 with WWW-Authenticate; a wrong token is 403', async () => {
      const missing = await post(`?workflow_name=${TASKCHAIN}`, {});
      expect(missing.status).to.equal(401);
      expect(missing.headers.get('www-authenticate')).to.match(/^Bearer/);
      for (const authorization of [
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(1)}`,
        `Basic ${TOKEN}`,
        TOKEN,
        'Bearer ',
        `bearer  ${TOKEN}`,
      ]) {
        const response = await post(`?workflow_name=${TASKCHAIN}`, { authorization });
        expect(response.status, authorization).to.be.oneOf([401, 403]);
      }
      expect(
        (await post(`?workflow_name=${TASKCHAIN}`, { authorization: 'Bearer wrong' })).status,
      ).to.equal(403);
      expect(calls).to.deep.equal([]);
    });

    it('400 without a name, or with a malformed one', async () => {
      for (const query of [
        '',
        '?workflow_name=',
        '?workflow_name=a&workflow_name=b',
        '?workflow_name=_design%2Fx',
        `?workflow_name=${'x'.repeat(501)}`,
      ]) {
        const response = await post(query);
        expect(response.status, query).to.equal(400);
        expect(await response.json()).to.have.property('error', 'BAD_REQUEST');
      }
      expect(calls).to.deep.equal([]);
    });

    it('a failed update is a 500 that says why', async () => {
      next = async () => {
        throw new Error('ReqMgr2 answered 502 for http://user:secret@example.org/x');
      };
      const response = await post(`?workflow_name=${TASKCHAIN}`);
      expect(response.status).to.equal(500);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).to.equal('UPDATE_FAILED');
      expect(body.message).to.include(`updating ${TASKCHAIN} failed: ReqMgr2 answered 502`);
      expect(body.message).not.to.include('secret');
    });

    it('runs one update per workflow at a time: concurrent requests share it', async () => {
      let release: () => void = () => undefined;
      next = () => new Promise((resolve) => (release = () => resolve({ changed: false })));
      const both = Promise.all([
        post(`?workflow_name=${TASKCHAIN}`),
        post(`?workflow_name=${TASKCHAIN}`),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      const responses = await both;
      expect(responses.map((r) => r.status)).to.deep.equal([200, 200]);
      expect(calls).to.deep.equal([TASKCHAIN]);
    });
  });

  describe('rate limit', () => {
    let site: TestWebsite;
    let calls = 0;
    before(async () => {
      site = await startTestWebsite('update_limit', fixtureWorkflows(), {
        updateToken: TOKEN,
        updateWorkflow: async () => {
          calls++;
          return { changed: false };
        },
        tuning: {
          updateRateLimit: { burst: 3, intervalMs: 60_000 },
          failedUpdateRateLimit: { burst: 2, intervalMs: 60_000 },
        },
      });
    });
    after(() => site.close());

    const post = (authorization: string | undefined, forwardedFor?: string) =>
      site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
        method: 'POST',
        headers: {
          ...(authorization === undefined ? {} : { authorization }),
          ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
        },
      });

    it('limits requests without the token per client, whatever X-Forwarded-For says, and never the token', async () => {
      const statuses: number[] = [];
      let limited: Response | undefined;
      // 40 wrong tokens from one client, each claiming another address: the header is not
      // believed (no proxy configured), so they all count against the one client.
      for (let i = 0; i < 40; i++) {
        const response = await post(i % 2 ? 'Bearer wrong' : undefined, `10.0.${i}.1`);
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      expect(statuses.slice(0, 2)).to.deep.equal([401, 403]);
      expect(statuses.slice(2).every((status) => status === 429)).to.equal(true);
      expect(Number(limited?.headers.get('retry-after'))).to.be.within(1, 60);
      expect(((await limited?.json()) as { message: string }).message).to.include(
        'without the token',
      );
      // The holder of the token, right after and from the same address, is not blocked.
      expect((await post(`Bearer ${TOKEN}`)).status).to.equal(200);
      expect(calls).to.equal(1);
    });

    it('limits updates with the token on their own budget', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(`Bearer ${TOKEN}`)).status);
      // 3 in the burst, one of them taken by the previous test.
      expect(statuses).to.deep.equal([200, 200, 429, 429]);
      expect(calls).to.equal(3);
    });
  });

  describe('behind a proxy named in STATS_TRUST_PROXY', () => {
    let site: TestWebsite;
    before(async () => {
      site = await startTestWebsite('update_proxy', fixtureWorkflows(), {
        updateToken: TOKEN,
        updateWorkflow: async () => ({ changed: false }),
        trustProxy: 'loopback',
        tuning: { failedUpdateRateLimit: { burst: 1, intervalMs: 60_000 } },
      });
    });
    after(() => site.close());

    it('counts failures per visitor address the proxy names', async () => {
      const post = (forwardedFor: string) =>
        site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
          method: 'POST',
          headers: { authorization: 'Bearer wrong', 'x-forwarded-for': forwardedFor },
        });
      expect((await post('192.0.2.1')).status).to.equal(403);
      expect((await post('192.0.2.1')).status).to.equal(429);
      expect((await post('192.0.2.2')).status).to.equal(403);
    });
  });
});
