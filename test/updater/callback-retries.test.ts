import { expect } from 'chai';
import {
  CALLBACK_RETRY_MAX_AGE_S,
  failedCallbacksOf,
  failureAfter,
  planCallbacks,
} from '../../updater/callback-retries.js';
import { TrackedNames } from '../../updater/tracked-names.js';

const NOW = 1_800_000_000;

describe('notifications owed until they succeed (updater/callback-retries.ts)', () => {
  it('sends every trigger for pending workflows, the failed targets for the others, and gives up old failures', () => {
    const plan = planCallbacks(
      ['wf_new'],
      [
        ['wf_dev', { targets: ['dev'], since: NOW - 60 }],
        ['wf_both', { targets: ['prod', 'dev'], since: NOW - 3600 }],
        ['wf_old', { targets: ['prod'], since: NOW - CALLBACK_RETRY_MAX_AGE_S - 1 }],
        ['wf_new', { targets: ['dev'], since: NOW - 60 }],
      ],
      ['prod'],
      NOW,
    );
    expect(Object.fromEntries(plan.send)).to.deep.equal({
      wf_new: ['prod'],
      wf_both: ['prod'],
    });
    expect(plan.expired).to.deep.equal([
      ['wf_old', { targets: ['prod'], since: NOW - CALLBACK_RETRY_MAX_AGE_S - 1 }],
    ]);
  });

  it('keeps owing what failed or was not tried, since the first failure', () => {
    expect(failureAfter(undefined, ['prod', 'dev'], [], NOW)).to.equal(undefined);
    expect(failureAfter(undefined, ['prod', 'dev'], ['dev'], NOW)).to.deep.equal({
      targets: ['dev'],
      since: NOW,
    });
    const previous = { targets: ['prod' as const, 'dev' as const], since: NOW - 600 };
    expect(failureAfter(previous, ['prod'], [], NOW)).to.deep.equal({
      targets: ['dev'],
      since: NOW - 600,
    });
    expect(failureAfter(previous, ['prod', 'dev'], ['prod'], NOW)).to.deep.equal({
      targets: ['prod'],
      since: NOW - 600,
    });
  });

  it('reads only well-formed records from the settings', () => {
    expect(failedCallbacksOf(undefined)).to.deep.equal([]);
    expect(failedCallbacksOf(['wf'])).to.deep.equal([]);
    expect(
      failedCallbacksOf({
        ok: { targets: ['dev', 'prod', 'test'], since: 5 },
        noTime: { targets: ['prod'] },
        noTargets: { targets: [], since: 5 },
        junk: 'x',
      }),
    ).to.deep.equal([['ok', { targets: ['prod', 'dev'], since: 5 }]]);
  });
});

describe('a list the run keeps in the settings (updater/tracked-names.ts)', () => {
  it("merges: the stored entries, without what this run took off, with this run's on top", () => {
    const list = new TrackedNames<number>([
      ['a', 1],
      ['b', 2],
    ]);
    list.takeOff('a');
    list.set('c', 3);
    list.set('b', 20);
    expect(list.takeOff('never-on')).to.equal(false);
    // 'd' was added by an update running beside this run; 'never-on' stays as stored.
    expect(
      list.merge([
        ['a', 1],
        ['b', 2],
        ['d', 4],
        ['never-on', 5],
      ]),
    ).to.deep.equal([
      ['b', 20],
      ['c', 3],
      ['d', 4],
      ['never-on', 5],
    ]);
  });

  it("decides a name anew: the stored entry goes unless this run's list has it", () => {
    const list = new TrackedNames<boolean>();
    list.decideAnew('x');
    list.decideAnew('y');
    list.set('y', true);
    expect(
      list.merge([
        ['x', true],
        ['z', true],
      ]),
    ).to.deep.equal([
      ['y', true],
      ['z', true],
    ]);
  });
});
