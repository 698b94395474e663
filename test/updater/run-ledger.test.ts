import { expect } from 'chai';
import type { Settings } from '../../workflow/documents.js';
import { RunLedger } from '../../updater/run-ledger.js';

const NOW = 1_800_000_000;

function settings(lists: Partial<Settings> = {}): Settings {
  return {
    _id: 'all_settings',
    _rev: '7-abc',
    last_reqmgr_sequence: '12-g1AAAA',
    last_dbs_update_date: NOW - 3600,
    failed_workflows: [],
    ...lists,
  };
}

describe("the update run's ledger (updater/run-ledger.ts)", () => {
  it('merges into the stored settings: what this run took off goes, what it decided is on top, the rest stays', () => {
    const ledger = RunLedger.forRun(
      settings({
        failed_workflows: ['wf_fixed', 'wf_still'],
        pending_callbacks: ['wf_sent'],
        failed_callbacks: { wf_dev: { targets: ['dev'], since: NOW - 600 } },
      }),
      true,
    );
    ledger.recordDocuments({ written: ['wf_fixed', 'wf_new'], unchanged: [], removed: [] });
    ledger.recordFailure('wf_broken', 'DBS said no');
    ledger.recordNotified('wf_sent', ['prod'], [], NOW);
    ledger.recordNotified('wf_dev', ['dev'], ['dev'], NOW);

    // Meanwhile a one-workflow update put wf_beside on the lists; this run never touched it.
    const stored = settings({
      _rev: '9-def',
      last_reqmgr_sequence: '15-g1AAAA',
      failed_workflows: ['wf_beside', 'wf_fixed', 'wf_still'],
      pending_callbacks: ['wf_beside', 'wf_sent'],
      failed_callbacks: {
        wf_beside: { targets: ['prod'], since: NOW - 60 },
        wf_dev: { targets: ['dev'], since: NOW - 600 },
      },
      last_run: { complete: true },
    });
    expect(ledger.merge(stored)).to.deep.equal({
      _id: 'all_settings',
      _rev: '9-def',
      last_reqmgr_sequence: '15-g1AAAA',
      last_dbs_update_date: NOW - 3600,
      last_run: { complete: true },
      failed_workflows: ['wf_beside', 'wf_broken', 'wf_still'],
      // Written in this run: owed a notification.
      pending_callbacks: ['wf_beside', 'wf_fixed', 'wf_new'],
      failed_callbacks: {
        wf_beside: { targets: ['prod'], since: NOW - 60 },
        wf_dev: { targets: ['dev'], since: NOW - 600 },
      },
    });
    expect(ledger.failedNames()).to.deep.equal(['wf_broken', 'wf_still']);
    expect(ledger.failureOf('wf_still')).to.equal('failed in an earlier run');
    expect(ledger.failureOf('wf_broken')).to.equal('DBS said no');
    expect(ledger.owedCount()).to.equal(3);
  });

  it('writes lists even into settings that have none yet, ignoring malformed stored entries', () => {
    const ledger = RunLedger.forRun(
      settings({ pending_callbacks: 'junk', failed_callbacks: ['junk'] }),
      true,
    );
    expect(ledger.owedNotifications()).to.deep.equal({ pending: [], failed: [] });
    ledger.owe(['wf_b', 'wf_a']);
    const merged = ledger.merge(settings({ pending_callbacks: [3, 'wf_c'] }));
    expect(merged.failed_workflows).to.deep.equal([]);
    expect(merged.pending_callbacks).to.deep.equal(['wf_a', 'wf_b', 'wf_c']);
    expect(merged.failed_callbacks).to.deep.equal({});
  });

  it('keeps a workflow that failed in this run on the failed list, and lets nothing more be written for it', () => {
    const ledger = RunLedger.forRun(settings({ failed_workflows: ['wf'] }), false);
    expect(ledger.mayWrite('wf')).to.equal(true);
    ledger.recordFailure('wf', 'history: fileSummaries failed');
    // Its document step succeeded in another batch: that does not clear this run's failure.
    ledger.recordDocuments({ written: [], unchanged: ['wf'], removed: [] });
    expect(ledger.mayWrite('wf')).to.equal(false);
    expect(ledger.merge(settings()).failed_workflows).to.deep.equal(['wf']);
  });

  it('takes a workflow ReqMgr2 no longer has off every list', () => {
    const stored = settings({
      failed_workflows: ['wf_gone', 'wf_deleted'],
      pending_callbacks: ['wf_gone', 'wf_deleted'],
      failed_callbacks: {
        wf_gone: { targets: ['prod'], since: NOW },
        wf_deleted: { targets: ['dev'], since: NOW },
      },
    });
    const ledger = RunLedger.forRun(stored, true);
    ledger.recordDocuments({ written: [], unchanged: [], removed: ['wf_gone'] });
    ledger.recordGone(['wf_deleted']);
    const merged = ledger.merge(stored);
    expect(merged.failed_workflows).to.deep.equal([]);
    expect(merged.pending_callbacks).to.deep.equal([]);
    expect(merged.failed_callbacks).to.deep.equal({});
  });

  it('owes a notification for what was written, once, and nothing at all in a run without triggers', () => {
    const notifying = RunLedger.forRun(settings({ pending_callbacks: ['wf_a'] }), true);
    expect(notifying.owe(['wf_a', 'wf_b'])).to.deep.equal(['wf_b']);
    expect(notifying.owe(['wf_b'])).to.deep.equal([]);
    notifying.recordHistories(['wf_c']);
    notifying.recordDocuments({ written: ['wf_d'], unchanged: ['wf_e'], removed: [] });
    expect(notifying.owedNotifications().pending).to.deep.equal(['wf_a', 'wf_b', 'wf_c', 'wf_d']);

    const silent = RunLedger.forRun(settings({ pending_callbacks: ['wf_a'] }), false);
    expect(silent.owe(['wf_b'])).to.deep.equal([]);
    silent.recordHistories(['wf_c']);
    silent.recordDocuments({ written: ['wf_d'], unchanged: [], removed: [] });
    // What an earlier run owes stays owed, for a run with triggers to send.
    expect(silent.owedNotifications().pending).to.deep.equal(['wf_a']);
    expect(silent.merge(settings({ pending_callbacks: ['wf_a'] })).pending_callbacks).to.deep.equal(
      ['wf_a'],
    );
  });

  it('owes, after sending, only the targets that failed or were not tried, since the first failure', () => {
    const stored = settings({
      pending_callbacks: ['wf_new'],
      failed_callbacks: {
        wf_both: { targets: ['prod', 'dev'], since: NOW - 600 },
        wf_old: { targets: ['dev'], since: NOW - 30 * 86400 },
      },
    });
    const ledger = RunLedger.forRun(stored, true);
    expect(ledger.owedNotifications()).to.deep.equal({
      pending: ['wf_new'],
      failed: [
        ['wf_both', { targets: ['prod', 'dev'], since: NOW - 600 }],
        ['wf_old', { targets: ['dev'], since: NOW - 30 * 86400 }],
      ],
    });
    ledger.recordNotified('wf_new', ['prod', 'dev'], ['dev'], NOW);
    ledger.recordNotified('wf_both', ['prod'], [], NOW);
    ledger.recordGivenUp('wf_old');
    expect(ledger.merge(stored)).to.deep.include({
      pending_callbacks: [],
      failed_callbacks: {
        wf_both: { targets: ['dev'], since: NOW - 600 },
        wf_new: { targets: ['dev'], since: NOW },
      },
    });
    expect(ledger.owedCount()).to.equal(2);
  });

  it("a one-workflow update decides only its workflow's entries, whatever is stored", () => {
    const stored = settings({
      failed_workflows: ['wf', 'wf_other'],
      pending_callbacks: ['wf', 'wf_other'],
      failed_callbacks: {
        wf: { targets: ['prod'], since: NOW - 60 },
        wf_other: { targets: ['dev'], since: NOW - 60 },
      },
    });
    const ledger = RunLedger.forOneWorkflow(stored, 'wf', true);
    expect(ledger.failedNames()).to.deep.equal([]);
    expect(ledger.owedNotifications()).to.deep.equal({
      pending: ['wf'],
      failed: [['wf', { targets: ['prod'], since: NOW - 60 }]],
    });
    ledger.recordDocuments({ written: ['wf'], unchanged: [], removed: [] });
    ledger.recordNotified('wf', ['prod'], [], NOW);
    expect(ledger.merge(stored)).to.deep.include({
      failed_workflows: ['wf_other'],
      pending_callbacks: ['wf_other'],
      failed_callbacks: { wf_other: { targets: ['dev'], since: NOW - 60 } },
    });

    const failing = RunLedger.forOneWorkflow(stored, 'wf', false);
    failing.recordFailure('wf', 'ReqMgr2 timed out');
    expect(failing.merge(stored)).to.deep.include({
      failed_workflows: ['wf', 'wf_other'],
      pending_callbacks: ['wf', 'wf_other'],
    });
  });
});
