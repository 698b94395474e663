import { expect } from 'chai';
import {
  campaignOf,
  storedWorkflow,
  workflowNameOf,
} from '../../bench/website/stored-workflows.js';
import { progressOf } from '../../server/read-model/workflow-progress.js';
import { summarizeWorkflow } from '../../server/read-model/workflow-summary.js';

describe('the benchmarks’ generated workflows', () => {
  it('have distinct names at the largest benchmark size, past where PrepID serials repeat', () => {
    const names = new Set(Array.from({ length: 200_000 }, (_, i) => workflowNameOf(i)));
    expect(names.size).to.equal(200_000);
  });

  it('carry an McM PrepID whose PWG the dashboards read, and their campaign', () => {
    const now = 1_790_000_000;
    const pwgs = new Set<string | null>();
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 123_456]) {
      const summary = summarizeWorkflow(storedWorkflow(i, now, 10));
      if (!summary) throw new Error(`workflow ${i} has no summary`);
      const progress = progressOf(summary);
      pwgs.add(progress.pwg);
      expect(progress.campaigns).to.include(campaignOf(i));
    }
    expect([...pwgs].sort()).to.deep.equal([
      'BPH',
      'BTV',
      'EGM',
      'EXO',
      'HIG',
      'SMP',
      'SUS',
      'TOP',
    ]);
  });
});
