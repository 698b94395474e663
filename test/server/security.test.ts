import { expect } from 'chai';
import { fixtureWorkflows, RERECO } from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const PAGES = [
  '/stats/',
  '/stats/?type=TaskChain',
  `/stats/workflow/${RERECO}`,
  '/stats/no/such/page',
  '/stats/-1',
];

describe('website: security headers and script-free pages', function () {
  let site: TestWebsite;
  before(async () => {
    site = await startTestWebsite('security', fixtureWorkflows());
  });
  after(() => site.close());

  it('sends a Content-Security-Policy without inline script or external origins', async () => {
    for (const path of [
      ...PAGES,
      `/stats/get_json/${RERECO}`,
      '/stats/api/fetch?type=ReReco',
      '/healthz',
    ]) {
      const response = await site.get(path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).to.include("default-src 'none'");
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("style-src 'self'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.match(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('referrer-policy')).to.equal('no-referrer');
      expect(response.headers.get('x-powered-by')).to.equal(null);
    }
  });

  it('pages carry no script, no inline handler or style, and load nothing from elsewhere', async () => {
    for (const path of PAGES) {
      const html = await (await site.get(path)).text();
      expect(html, path).not.to.match(/<script/i);
      expect(html).not.to.match(/<[a-z][^>]*\son[a-z]+\s*=/i);
      expect(html).not.to.match(/<[a-z][^>]*\sstyle\s*=/i);
      for (const [, tag, url] of html.matchAll(
        /<(link|img|script|iframe|source)\b[^>]*\s(?:href|src)="([^"]*)"/g,
      )) {
        expect(url, `${tag} in ${path}`).to.match(/^\/stats\/static\//);
      }
    }
  });

  it('serves the stylesheet and icon from its own static folder', async () => {
    const css = await site.get('/stats/static/style.css');
    expect(css.status).to.equal(200);
    expect(css.headers.get('content-type')).to.match(/^text\/css/);
    expect(await css.text()).not.to.match(/@import|url\(\s*['"]?https?:/);
    expect((await site.get('/stats/static/favicon.svg')).status).to.equal(200);
    expect((await site.get('/stats/static/..%2F..%2Fapp.js')).status).to.equal(404);
  });

  it('answers errors as HTML on pages and JSON on API routes, without internals', async () => {
    const page = await site.get('/stats/nothing/here');
    expect(page.status).to.equal(404);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const api = await site.get('/stats/api/nothing');
    expect(api.status).to.equal(404);
    expect(await api.json()).to.deep.equal({
      error: 'NOT_FOUND',
      message: 'there is nothing at this address',
    });
    const badEncoding = await site.get('/stats/get_json/%E0%A4%A');
    expect(badEncoding.status).to.equal(400);
    const text = await badEncoding.text();
    expect(text).not.to.include('%E0%A4%A');
    expect(text).not.to.match(/at .*\.js:\d+/);
  });
});
