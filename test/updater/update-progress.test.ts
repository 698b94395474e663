import { expect } from 'chai';
import { Writable } from 'node:stream';
import { progressDisplay } from '../../commands/update-progress.js';

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
