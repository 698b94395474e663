/**
 * The website on a clock of its own (the demo's simulated one): "…ago" texts, the
 * dashboards' windows and stuck days, "Counted … ago" and the same-second replay all
 * read the injected clock, never the system's.
 */
import { expect } from 'chai';
import { fixtureWorkflows } from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const DAY = 86_400;

describe('website: an injected clock', function () {
  let site: TestWebsite;
  /** 29 days behind the system clock, as the demo's world is at its start; moved by the tests. */
  let clockMs = Date.now() - 29 * DAY * 1000;
  let lastUpdateRun = 0;
  const clockSeconds = () => Math.floor(clockMs / 1000);
  const header = (page: string) =>
    /<dt>Last update run<\/dt><dd>(.*?)<\/dd>/s.exec(page)?.[1] ??
    `no header in ${page.slice(0, 300)}`;

  before(async () => {
    lastUpdateRun = clockSeconds() - 3 * DAY;
    site = await startTestWebsite('clock', fixtureWorkflows(), {
      lastUpdateRun,
      clock: () => clockMs,
    });
  });
  after(() => site.close());

  it('says "3d ago" of a run 3 days before the clock (the system clock would say 32d)', async () => {
    const page = await (await site.get('/stats/')).text();
    expect(header(page)).to.match(/>3d ago</);
  });

  it("counts the dashboards' windows and stuck days to the clock's day", async () => {
    const answer = (await (
      await site.get('/stats/api/dashboard?window=30d&stuck_days=3')
    ).json()) as {
      window: { to: string };
      stuck: { counted_to: string };
    };
    const today = new Date(clockSeconds() * 1000).toISOString().slice(0, 10);
    expect(answer.window.to.slice(0, 10)).to.equal(today);
    expect(Date.parse(answer.stuck.counted_to) / 1000).to.be.within(
      clockSeconds() - 120,
      clockSeconds() + 1,
    );
    const page = await (await site.get('/stats/dashboard')).text();
    const counted = /Counted <time title="([^"]+)">([^<]+)<\/time>/.exec(page);
    expect(counted, 'the "Counted … ago" line').not.to.equal(null);
    expect(counted?.[1]?.slice(0, 10)).to.equal(today);
    expect(counted?.[2]).to.match(/^\d+s ago$/);
  });

  it("keeps a page for the clock's second: a clock a day on in the same real second shows the new text", async () => {
    // All three requests in one second of the system clock: a replay keyed on it would
    // repeat the first text. On a loaded machine a try may straddle a second: try again.
    for (let attempt = 0; ; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
      const started = Date.now();
      const days = Math.round((clockSeconds() - lastUpdateRun) / DAY);
      const before = await (await site.get('/stats/')).text();
      const again = await (await site.get('/stats/')).text();
      clockMs += DAY * 1000;
      const after = await (await site.get('/stats/')).text();
      if (Math.floor(started / 1000) !== Math.floor(Date.now() / 1000) && attempt < 4) continue;
      expect(Math.floor(started / 1000), 'five tries each took over a second').to.equal(
        Math.floor(Date.now() / 1000),
      );
      expect(header(before)).to.match(new RegExp(`>${days}d ago<`));
      expect(again, 'the same clock second: the same page').to.equal(before);
      expect(header(after)).to.match(new RegExp(`>${days + 1}d ago<`));
      return;
    }
  });
});
