import { expect } from 'chai';
import type { RunSummary } from '../../updater/run.js';
import { lastRunOf } from '../../server/read-model/last-update.js';
import { fixtureWorkflows } from './fixtures.js';
import { eventually, startTestWebsite, type TestWebsite } from './support.js';

const RUN: RunSummary = {
  startedAt: 1_800_000_000,
  finishedAt: 1_800_000_041,
  changed: 2000,
  unchanged: 12,
  deleted: 1,
  recalculated: 2400,
  historyEntriesAdded: 150,
  callbacksSent: 0,
  callbackFailures: 0,
  callbacksPending: 0,
  failed: ['wf_a', 'wf_b', 'wf_c'],
  durations: { failed: 10, changes: 30_000, recalculate: 10_990, callbacks: 0 },
  complete: true,
};

describe('website: the last update run, as the settings record it', function () {
  let site: TestWebsite;
  const page = async () => (await site.get('/stats/')).text();
  const metrics = async () => (await site.get('/metrics')).text();
  const storeLastRun = (lastRun: unknown) =>
    site.settings.update((settings) => ({ ...settings, last_run: lastRun }));

  before(async () => {
    site = await startTestWebsite('lastrun', fixtureWorkflows(), {
      tuning: { lastUpdateMaxAgeMs: 50 },
    });
  });
  after(() => site.close());

  it('before any run: no last run in the header, its gauges at 0', async () => {
    expect(await page()).not.to.include('<dt>Last run</dt>');
    const text = await metrics();
    expect(text).to.include(
      '# HELP stats2_last_run_timestamp_seconds Unix time the last update run finished (0 until a run has been recorded)',
    );
    expect(text).to.include('# TYPE stats2_last_run_timestamp_seconds gauge');
    expect(text).to.include('\nstats2_last_run_timestamp_seconds 0\n');
  });

  it('shows the stored summary on /metrics and in the header, read again without a restart', async () => {
    await storeLastRun(RUN);
    await eventually(async () =>
      expect(await metrics()).to.include('stats2_last_run_changed 2000'),
    );
    const text = await metrics();
    for (const line of [
      'stats2_last_run_timestamp_seconds 1800000041',
      'stats2_last_run_duration_seconds 41',
      'stats2_last_run_failed 3',
      'stats2_last_run_history_entries_added 150',
      'stats2_last_run_complete 1',
    ]) {
      expect(text).to.include(`\n${line}\n`);
    }
    expect(await page()).to.include(
      '<div><dt>Last run</dt><dd title="finished 2027-01-15 08:00:41 UTC">2,000 changed, 3 failed, 41s</dd></div>',
    );
  });

  it('an incomplete run says so', async () => {
    await storeLastRun({ ...RUN, complete: false, failed: [] });
    await eventually(async () =>
      expect(await page()).to.include('2,000 changed, 0 failed, 41s, incomplete</dd>'),
    );
    expect(await metrics()).to.include('\nstats2_last_run_complete 0\n');
  });

  it('the first page after a quiet spell shows the run that finished meanwhile', async () => {
    await storeLastRun({ ...RUN, changed: 1234, finishedAt: RUN.finishedAt + 1 });
    await new Promise((resolve) => setTimeout(resolve, 150)); // longer than the re-read age (50 ms)
    expect(await page()).to.include('1,234 changed, 3 failed, 42s</dd>');
  });

  it('a malformed summary shows as no run at all', async () => {
    await storeLastRun({ ...RUN, changed: 'many' });
    await eventually(async () => expect(await page()).not.to.include('<dt>Last run</dt>'));
    expect(await metrics()).to.include('\nstats2_last_run_timestamp_seconds 0\n');
    for (const malformed of [
      undefined,
      'yesterday',
      [],
      { ...RUN, failed: 3 },
      { ...RUN, complete: 'yes' },
      { ...RUN, finishedAt: null },
    ]) {
      expect(lastRunOf(malformed), JSON.stringify(malformed)).to.equal(undefined);
    }
  });
});
