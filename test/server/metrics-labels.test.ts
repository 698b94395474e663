/**
 * `/metrics` labels one series per route template, whichever way the request ends (the
 * route's answer, an error, a 404 after the route passed it on), static files included;
 * and the bare root leads to the prefixed site.
 */
import { expect } from 'chai';
import { fixtureWorkflows, TASKCHAIN } from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

function routeLabels(metrics: string): Map<string, string[]> {
  const labels = new Map<string, string[]>();
  for (const match of metrics.matchAll(
    /^stats2_http_requests_total\{route="([^"]*)",method="GET",status="(\d+)"\}/gm,
  )) {
    labels.set(match[1] as string, [...(labels.get(match[1] as string) ?? []), match[2] as string]);
  }
  return labels;
}

describe('website: route labels of /metrics, and the root', () => {
  let site: TestWebsite;
  before(async () => {
    site = await startTestWebsite('metricslabels', fixtureWorkflows());
  });
  after(() => site.close());

  it('GET / redirects to the prefixed site', async () => {
    const answer = await site.get('/');
    expect(answer.status).to.equal(302);
    expect(answer.headers.get('location')).to.equal('/stats/');
  });

  it('labels each request by its route template, errors and static files included', async () => {
    const visits: Array<[string, number]> = [
      ['/stats/', 200],
      ['/stats', 200],
      ['/stats/0', 200],
      ['/stats/7', 404], // past the end
      ['/stats/abc', 404], // not a page number
      [`/stats/workflow/${encodeURIComponent(TASKCHAIN)}`, 200],
      ['/stats/workflow/nobody_250101_000000_1', 404],
      ['/stats/get_json/nobody_250101_000000_1', 404],
      ['/stats/api/update', 404],
      ['/stats/static/style.css', 200],
      ['/stats/static/missing.css', 404],
      ['/nowhere', 404],
    ];
    for (const [path, status] of visits) {
      const answer = await site.get(path);
      await answer.arrayBuffer();
      expect(answer.status, path).to.equal(status);
    }
    const labels = routeLabels(await (await site.get('/metrics')).text());
    expect(Object.fromEntries(labels)).to.deep.include({
      '/stats/': ['200'],
      '/stats/workflow/:name': ['200', '404'],
      '/stats/get_json/:name': ['404'],
      '/stats/api/update': ['404'],
      '/stats/static/:file': ['200', '404'],
      unmatched: ['404'],
    });
    expect(labels.get('/stats/:page')?.sort()).to.deep.equal(['200', '404']);
    // Every label is a template under the prefix (or one of the root's own routes).
    for (const label of labels.keys()) {
      expect(label, label).to.match(/^(\/stats\/|\/healthz$|\/$|unmatched$)/);
      expect(label, label).not.to.include('nobody');
    }
  });
});

describe('website at the root (no prefix)', () => {
  let site: TestWebsite;
  before(async () => {
    site = await startTestWebsite('rootprefix', fixtureWorkflows(), { prefix: '' });
  });
  after(() => site.close());

  it('serves the list at / itself', async () => {
    const answer = await site.get('/');
    expect(answer.status).to.equal(200);
    expect(await answer.text()).to.include(TASKCHAIN.slice(0, 30));
  });
});
