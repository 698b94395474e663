/**
 * The campaign dashboards in a real browser (Chromium through playwright-core, as
 * website.test.ts): /campaigns, a campaign page and /dashboard load with their styles and
 * charts, nothing from elsewhere, no script error or CSP violation; screenshots are saved
 * in test-artifacts/ (dashboards-campaigns.png, dashboards-campaign.png, dashboards-dashboard.png).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CAMPAIGN_A, dashboardWorld } from '../server/dashboard-world.js';
import { NOW } from '../server/fixtures.js';
import { startTestWebsite, type TestWebsite } from '../server/support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts');

describe('campaign dashboards in a browser (Chromium)', function () {
  this.timeout(90_000);
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
    site = await startTestWebsite('e2edashboards', dashboardWorld(NOW, 150), {
      tuning: { dashboardMaxWaitMs: 60_000 },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
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

  it('opens /campaigns from the header, sorts and filters it, and saves a screenshot', async () => {
    await page.goto(site.url);
    await Promise.all([
      page.waitForURL(/\/campaigns$/),
      page.getByRole('link', { name: 'Campaigns', exact: true }).click(),
    ]);
    expect(await page.title()).to.equal('Campaigns · Stats2');
    const rows = page.locator('table.campaigns tbody tr');
    expect(await rows.count()).to.equal(4);
    await Promise.all([
      page.waitForURL(/sort=campaign/),
      page.getByRole('link', { name: 'Campaign', exact: true }).click(),
    ]);
    const names = await page.locator('table.campaigns tbody th').allTextContents();
    expect(names).to.deep.equal([...names].sort());
    await page.fill('.table-filter input[name="q"]', 'summer24');
    await Promise.all([page.waitForURL(/q=summer24/), page.press('.table-filter input[name="q"]', 'Enter')]);
    expect(await rows.count()).to.equal(2);
    await Promise.all([
      page.waitForURL(/window=120d/),
      page.getByRole('link', { name: '120 days' }).click(),
    ]);
    expect(
      await page.locator('.window-select a[aria-current="page"]').first().textContent(),
    ).to.equal('120 days');
    await page.goto(`${site.url}campaigns?window=all`);
    await page.screenshot({
      path: path.join(ARTIFACTS, 'dashboards-campaigns.png'),
      fullPage: true,
    });
  });

  it('opens a campaign page with its two charts and tables, and saves a screenshot', async () => {
    await Promise.all([
      page.waitForURL(/\/campaign\//),
      page.locator('table.campaigns').getByRole('link', { name: CAMPAIGN_A, exact: true }).click(),
    ]);
    expect(await page.title()).to.equal(`Campaign ${CAMPAIGN_A} · Stats2`);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).to.equal(2);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width).to.be.above(300);
      expect(box?.height).to.be.above(80);
    }
    expect(await page.locator('svg.chart.bars rect.bar').count()).to.be.above(0);
    expect(await page.locator('.breakdowns table').count()).to.equal(3);
    expect(await page.locator('.projection').textContent()).to.match(
      /Recent rate: [\d,]+ events in the last 14 days/,
    );
    await page.locator('details.definitions summary').click();
    expect(await page.locator('details.definitions').getAttribute('open')).to.equal('');
    await page.screenshot({
      path: path.join(ARTIFACTS, 'dashboards-campaign.png'),
      fullPage: true,
    });
  });

  it('opens /dashboard with production, most active campaigns, stuck workflows and PWGs, and saves a screenshot', async () => {
    await Promise.all([
      page.waitForURL(/\/dashboard$/),
      page.getByRole('link', { name: 'Dashboard', exact: true }).click(),
    ]);
    expect(await page.title()).to.equal('Production dashboard · Stats2');
    expect(await page.locator('svg.chart').count()).to.equal(2);
    expect(await page.locator('table.stuck tbody tr').count()).to.be.above(0);
    await Promise.all([
      page.waitForURL(/stuck_days=3/),
      page.getByRole('link', { name: '3 days' }).click(),
    ]);
    await page.screenshot({
      path: path.join(ARTIFACTS, 'dashboards-dashboard.png'),
      fullPage: true,
    });
    // The CSV link downloads the table.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .locator('.panel')
        .filter({ hasText: 'By PWG' })
        .getByRole('link', { name: 'CSV' })
        .click(),
    ]);
    expect(download.suggestedFilename()).to.equal('dashboard-pwg-30d.csv');
  });
});
