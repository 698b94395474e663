/**
 * The website in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download). Installed by scripts/ensure-test-tools.sh; when it is truly absent, these
 * tests skip and say so.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  fillerWorkflows,
  fixtureWorkflows,
  NOW,
  RERECO,
  RERECO_PREPID,
  TASKCHAIN,
} from '../server/fixtures.js';
import { startTestWebsite, type TestWebsite } from '../server/support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts');

describe('website in a browser (Chromium)', function () {
  this.timeout(60_000);
  let site: TestWebsite;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(
        `    skipped: ${CHROMIUM} is not installed (scripts/ensure-test-tools.sh installs it with apt-get)`,
      );
      this.skip();
    }
    site = await startTestWebsite('e2e', [...fixtureWorkflows(), ...fillerWorkflows(150)], {
      lastUpdateRun: NOW - 2 * 3600,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(site.origin))
        problems.push(`request to another origin: ${request.url()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('loads the list with its header, styles and workflows', async () => {
    await page.goto(site.url);
    expect(await page.title()).to.equal('All workflows · Stats2');
    expect(await page.locator('.totals dd').first().textContent()).to.equal(
      String(fixtureWorkflows().length + 150),
    );
    expect(await page.locator('article.workflow').count()).to.equal(100);
    // The stylesheet applied: the header has its dark background.
    const background = await page.evaluate(
      "getComputedStyle(document.querySelector('.site-header')).backgroundColor",
    );
    expect(background).to.equal('rgb(23, 48, 79)');
  });

  it('searches with the search box', async () => {
    await page.fill('input[name="q"]', RERECO_PREPID);
    await Promise.all([page.waitForURL(/\?prepid=/), page.press('input[name="q"]', 'Enter')]);
    expect(page.url()).to.equal(`${site.url}?prepid=${RERECO_PREPID}`);
    expect(await page.locator('h2.wf-name').allTextContents()).to.have.length(2);
    expect(await page.locator('input[name="q"]').inputValue()).to.equal(RERECO_PREPID);
  });

  it('follows a filter link', async () => {
    await page
      .locator('article.workflow')
      .first()
      .getByRole('link', { name: 'Run2024F', exact: true })
      .click();
    await page.waitForURL(/\?campaign=Run2024F$/);
    expect(await page.locator('h1').textContent()).to.match(/^2 workflows with campaign Run2024F/);
  });

  it('pages forward', async () => {
    await page.goto(site.url);
    const firstOnPage0 = await page.locator('h2.wf-name').first().textContent();
    await Promise.all([
      page.waitForURL(/\/stats\/1$/),
      page.locator('a[rel="next"]').first().click(),
    ]);
    expect(await page.locator('.page-number').first().textContent()).to.equal('Page 2 of 2');
    expect(await page.locator('article.workflow').count()).to.equal(
      fixtureWorkflows().length + 150 - 100,
    );
    expect(await page.locator('h2.wf-name').first().textContent()).not.to.equal(firstOnPage0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'website-list-page-2.png') });
  });

  it('opens a workflow’s chart and saves screenshots', async () => {
    await page.goto(`${site.url}?workflow_name=${RERECO}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'website-list.png') });
    await Promise.all([
      page.waitForURL(/\/workflow\//),
      page.getByRole('link', { name: 'History chart' }).click(),
    ]);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).to.equal(6);
    const box = await charts.first().boundingBox();
    expect(box?.width).to.be.above(300);
    expect(box?.height).to.be.above(80);
    // Half the card's width each (two a row), not the whole of a wide screen.
    const card = await page.locator('figure.dataset-history').first().boundingBox();
    expect(box?.width).to.be.within((card?.width ?? 0) * 0.4, (card?.width ?? 0) * 0.5);
    expect(await page.locator('figcaption').first().textContent()).to.equal(
      '/JetMET0/Run2024F-ECALRatio-v1/AOD',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'website-chart.png'), fullPage: true });

    await page.goto(`${site.url}workflow/${TASKCHAIN}`);
    expect(await page.locator('svg.chart').count()).to.equal(3);
    await page.goto(`${site.url}?type=TaskChain`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'website-filtered.png'), fullPage: true });
  });
});
