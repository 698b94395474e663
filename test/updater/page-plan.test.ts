import { expect } from 'chai';
import { planPage } from '../../updater/page-plan.js';
import type { ChangesPage } from '../../updater/upstream-port.js';

function page(rows: Array<[string, boolean?]>, pending?: number): ChangesPage {
  return {
    results: rows.map(([id, deleted], i) => ({
      seq: `${i + 1}-x`,
      id,
      ...(deleted === true ? { deleted: true } : {}),
    })),
    last_seq: `${rows.length}-x`,
    ...(pending === undefined ? {} : { pending }),
  };
}

describe('the plan of one page of the changes feed (updater/page-plan.ts)', () => {
  it("takes each workflow's latest change, in feed order, ignoring design documents", () => {
    const plan = planPage(
      page(
        [
          ['wf_a'],
          ['wf_b'],
          ['_design/ReqMgr'],
          ['wf_a', true],
          ['wf_c', true],
          ['wf_c'],
          ['wf_d'],
        ],
        5,
      ),
      7,
      ['wf_x'],
    );
    expect(plan).to.deep.equal({
      changed: ['wf_b', 'wf_c', 'wf_d'],
      deleted: ['wf_a'],
      last: false,
      rest: [],
    });
  });

  it('is the last page when the feed says nothing is pending, and then carries the rest of step 3', () => {
    const plan = planPage(page([['wf_b'], ['wf_a', true]], 0), 1000, [
      'wf_z',
      'wf_a',
      'wf_b',
      'wf_c',
    ]);
    expect(plan).to.deep.equal({
      changed: ['wf_b'],
      deleted: ['wf_a'],
      last: true,
      // The page's own workflows are recalculated (or deleted) by the page.
      rest: ['wf_c', 'wf_z'],
    });
  });

  it('is the last page when empty, or short of the page size from a server that sends no pending', () => {
    expect(planPage(page([]), 2, ['wf_a'])).to.deep.equal({
      changed: [],
      deleted: [],
      last: true,
      rest: ['wf_a'],
    });
    expect(planPage(page([['wf_a']]), 2, []).last).to.equal(true);
    expect(planPage(page([['wf_a'], ['wf_b']]), 2, []).last).to.equal(false);
    // `pending` decides when the server sends it, whatever the length.
    expect(planPage(page([['wf_a']], 3), 2, []).last).to.equal(false);
    expect(planPage(page([['wf_a'], ['wf_b']], 0), 2, []).last).to.equal(true);
  });
});
