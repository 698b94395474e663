import { expect } from 'chai';
import { Writable } from 'node:stream';
import { formatSummary, progressDisplay } from '../../commands/update-progress.js';
import type { RunSummary } from '../../updater/run.js';

/** A terminal that keeps what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return { stream, text: () => chunks.join('') };
}

describe('update progress on a terminal', () => {
  it('shows one bar per phase, in run order, even when the feed ends while step 3 runs', () => {
    const terminal = fakeTerminal();
    const display = progressDisplay(terminal.stream);
    display.update({ phase: 'changes', done: 1000, total: 1025 });
    display.update({ phase: 'recalculate', done: 100, total: 475 });
    const beforeLatePage = terminal.text().length;
    display.update({ phase: 'changes', done: 1025, total: 1025 });
    display.update({ phase: 'recalculate', done: 475, total: 475 });
    display.stop();
    const text = terminal.text();
    expect(text).to.include('ReqMgr2 changes');
    expect(text.slice(beforeLatePage)).not.to.include('ReqMgr2 changes');
    expect(text.slice(beforeLatePage)).to.include('DBS history');
  });

  it('writes nothing when the output is not a terminal', () => {
    const terminal = fakeTerminal();
    Object.assign(terminal.stream, { isTTY: false });
    const display = progressDisplay(terminal.stream);
    display.update({ phase: 'changes', done: 1, total: 2 });
    display.stop();
    expect(terminal.text()).to.equal('');
  });
});

describe('update summary', () => {
  const summary: RunSummary = {
    startedAt: 1_700_000_000,
    finishedAt: 1_700_000_002,
    changed: 3,
    unchanged: 1,
    deleted: 0,
    recalculated: 4,
    historyEntriesAdded: 2,
    callbacksSent: 0,
    callbackFailures: 0,
    callbacksPending: 0,
    failed: [],
    durations: { recalculate: 2300, changes: 2200, callbacks: 10 },
    complete: true,
  };
  const line = (text: string, label: string) =>
    text.split('\n').find((l) => l.startsWith(label)) as string;

  it('gives the whole run as timed, and the overlapping phases as time in each', () => {
    const text = formatSummary(summary, 2412);
    expect(line(text, 'duration')).to.equal('duration               2.4 s');
    expect(line(text, 'time in each phase')).to.equal(
      'time in each phase     DBS history 2.3 s, ReqMgr2 changes 2.2 s, callbacks 0.0 s (phases run side by side)',
    );
  });

  it('says how many notifications failed and how many workflows are still owed one', () => {
    const owed = { ...summary, callbacksSent: 4, callbackFailures: 2, callbacksPending: 1 };
    expect(line(formatSummary(owed), 'callbacks')).to.equal(
      'callbacks              4 sent, 2 failed, 1 workflow still owed one',
    );
    expect(line(formatSummary({ ...owed, callbacksPending: 3 }), 'callbacks')).to.match(
      /3 workflows still owed one$/,
    );
  });

  it('never shows a phase longer than the whole, even from whole-second timestamps', () => {
    // finishedAt - startedAt is 2 s, but a phase took 2.3 s: the duration cannot be less.
    const text = formatSummary(summary);
    expect(line(text, 'duration')).to.equal('duration               2.3 s');
    const sequential = formatSummary(
      { ...summary, durations: { changes: 500, callbacks: 100 } },
      700,
    );
    expect(line(sequential, 'time in each phase')).to.equal(
      'time in each phase     ReqMgr2 changes 0.5 s, callbacks 0.1 s',
    );
  });
});
