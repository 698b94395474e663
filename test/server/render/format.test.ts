import { expect } from 'chai';
import {
  formatAgo,
  formatCompact,
  formatCount,
  formatDateTime,
  formatElapsed,
  formatPercent,
  formatSize,
} from '../../../server/render/format.js';
import { escapeHtml, markup } from '../../../server/render/html.js';
import { markdownTable } from '../../../server/render/markdown.js';
import { summarizeWorkflow } from '../../../server/read-model/workflow-summary.js';

describe('website formatting', () => {
  it('sizes in base 1000 with two decimals, B to TB', () => {
    expect(formatSize(0)).to.equal('0.00 B');
    expect(formatSize(999)).to.equal('999.00 B');
    expect(formatSize(1000)).to.equal('1.00 KB');
    expect(formatSize(1234)).to.equal('1.23 KB');
    expect(formatSize(12_345_678_901)).to.equal('12.35 GB');
    expect(formatSize(5_500_000_000_000)).to.equal('5.50 TB');
    expect(formatSize(2_000_000_000_000_000)).to.equal('2000.00 TB');
    expect(formatSize(-5)).to.equal('0.00 B');
  });

  it('elapsed times: Nd, else Hh Mmin, else Mmin, else Ss', () => {
    expect(formatElapsed(0)).to.equal('0s');
    expect(formatElapsed(59)).to.equal('59s');
    expect(formatElapsed(60)).to.equal('1min');
    expect(formatElapsed(3599)).to.equal('59min');
    expect(formatElapsed(3600)).to.equal('1h 0min');
    expect(formatElapsed(5 * 3600 + 7 * 60 + 59)).to.equal('5h 7min');
    expect(formatElapsed(86_399)).to.equal('23h 59min');
    expect(formatElapsed(86_400)).to.equal('1d');
    expect(formatElapsed(3 * 86_400 + 3600)).to.equal('3d');
    expect(formatElapsed(-10)).to.equal('0s');
    expect(formatAgo(100, 160)).to.equal('1min ago');
  });

  it('counts, percents, dates and axis labels', () => {
    expect(formatCount(0)).to.equal('0');
    expect(formatCount(1234567)).to.equal('1,234,567');
    expect(formatCount(-1500)).to.equal('-1,500');
    expect(formatPercent(75)).to.equal('75.00%');
    expect(formatPercent(0.2)).to.equal('0.20%');
    expect(formatDateTime(1705311012)).to.equal('2024-01-15 09:30:12 UTC');
    expect(formatDateTime(1e20)).to.equal('an impossible date');
    expect(formatCompact(1_500)).to.equal('1.5k');
    expect(formatCompact(2_000_000)).to.equal('2M');
    expect(formatCompact(250)).to.equal('250');
  });

  it('html templates escape text, keep markup, flatten lists', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const item = (text: string) => markup`<li>${text}</li>`;
    const list = markup`<ul>${['<b>', 'c'].map(item)}</ul>${undefined}${false}${0}`;
    expect(list.value).to.equal('<ul><li>&lt;b&gt;</li><li>c</li></ul>0');
    expect(markup`${markup`<br>`}`.value).to.equal('<br>');
    expect(escapeHtml('a\u0000b')).to.equal('a\ufffdb');
  });

  it('markdown cells escape what would break the table or a link', () => {
    const workflow = summarizeWorkflow({ _id: 'a|b_[c]', OutputDatasets: ['/x/y(1)/AOD'] });
    const table = markdownTable(workflow ? [workflow] : []);
    expect(table).to.include(
      '[a\\|b\\_\\[c\\]](https://cmsweb.cern.ch/reqmgr2/fetch?rid=a%7Cb_%5Bc%5D)',
    );
    expect(table).to.include('%28');
  });
});
