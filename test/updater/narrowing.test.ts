import { expect } from 'chai';
import { callNarrowing, splitBudget } from '../../updater/narrowing.js';

/** A batched call that fails as a whole when it holds a bad item, recording every call. */
function batchedCall(bad: ReadonlySet<number>, error: () => Error = () => new Error('bad item')) {
  const calls: Array<{ size: number; splitting: boolean }> = [];
  const call = async (chunk: number[], splitting: boolean) => {
    calls.push({ size: chunk.length, splitting });
    if (chunk.some((item) => bad.has(item))) throw error();
    return chunk.map((item) => item * 10);
  };
  return { calls, call };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function failedItems(settled: Awaited<ReturnType<typeof callNarrowing<number, number[]>>>) {
  return settled.flatMap((s) => (s.outcome.ok ? [] : s.items)).sort((a, b) => a - b);
}

describe('batched calls that fail narrowly (updater/narrowing.ts)', () => {
  it('isolates one bad item of 100 in at most 2·log2(100)+1 extra calls', async () => {
    for (const bad of [0, 37, 50, 99]) {
      const { calls, call } = batchedCall(new Set([bad]));
      const settled = await callNarrowing(range(100), call);
      expect(failedItems(settled), `bad ${bad}`).to.deep.equal([bad]);
      const answered = settled.flatMap((s) => (s.outcome.ok ? s.outcome.value : []));
      expect(answered.length, `bad ${bad}`).to.equal(99);
      expect(calls.length - 1, `extra calls, bad ${bad}`).to.be.at.most(2 * Math.log2(100) + 1);
      expect(calls[0]).to.deep.equal({ size: 100, splitting: false });
      expect(calls.slice(1).every((c) => c.splitting)).to.equal(true);
    }
  });

  it('isolates two bad items', async () => {
    const { call } = batchedCall(new Set([3, 88]));
    expect(failedItems(await callNarrowing(range(100), call))).to.deep.equal([3, 88]);
  });

  it('calls in chunks; a bad item costs only its own chunk', async () => {
    const { calls, call } = batchedCall(new Set([120]));
    const settled = await callNarrowing(range(250), call, { chunkSize: 100 });
    expect(failedItems(settled)).to.deep.equal([120]);
    expect(calls.filter((c) => !c.splitting).map((c) => c.size)).to.deep.equal([100, 100, 50]);
  });

  it('does not split a failure that concerns every item (e.g. a timeout)', async () => {
    const timeout = () => Object.assign(new Error('no answer'), { code: 'UPSTREAM_TIMEOUT' });
    const { calls, call } = batchedCall(new Set([5]), timeout);
    const settled = await callNarrowing(range(100), call, {
      splittable: (error) => (error as { code?: string }).code !== 'UPSTREAM_TIMEOUT',
    });
    expect(failedItems(settled)).to.deep.equal(range(100));
    expect(calls).to.have.length(1);
  });

  it('spends a bounded number of calls when every call fails (an outage)', async () => {
    const { calls, call } = batchedCall(new Set(range(100)));
    const settled = await callNarrowing(range(100), call);
    expect(failedItems(settled)).to.deep.equal(range(100));
    expect(calls.length - 1).to.be.at.most(splitBudget(100));
    expect(splitBudget(100)).to.equal(28);
  });

  it('makes one call for a batch without a bad item, none for an empty one', async () => {
    const { calls, call } = batchedCall(new Set());
    expect(failedItems(await callNarrowing(range(100), call))).to.deep.equal([]);
    expect(calls).to.have.length(1);
    expect(await callNarrowing([], call)).to.deep.equal([]);
    expect(calls).to.have.length(1);
  });
});
