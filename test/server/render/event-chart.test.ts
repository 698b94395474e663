import { expect } from 'chai';
import { eventChart } from '../../../server/render/event-chart.js';
import { formatDateTime } from '../../../server/render/format.js';

const options = { title: '/a/b/AOD', unit: 'events', target: 1000, tone: 'type-valid' };

/** The labels under the time axis, in order. */
const timeLabels = (svg: string) =>
  [...svg.matchAll(/<text class="tick" x="[\d.]+" y="210" text-anchor="\w+">([^<]+)<\/text>/g)].map(
    (match) => match[1] as string,
  );

describe('event charts', () => {
  it('a single measurement: the day up to it, its dot at the right end, nothing in the future', () => {
    const time = Date.UTC(2024, 0, 15, 9, 30) / 1000;
    const svg = eventChart([{ time, value: 420 }], options).value;
    expect(svg).to.match(/<circle class="dot" cx="702" /);
    const labels = timeLabels(svg);
    expect(labels.at(-1)).to.equal(formatDateTime(time).slice(5, 16));
    expect(labels[0]).to.equal(formatDateTime(time - 86_400).slice(5, 16));
  });

  it('several measurements: the axis runs from the first to the last', () => {
    const start = Date.UTC(2024, 0, 1) / 1000;
    const points = [0, 3, 9].map((day) => ({ time: start + day * 86_400, value: day * 100 }));
    const svg = eventChart(points, options).value;
    const labels = timeLabels(svg);
    expect(labels[0]).to.equal('2024-01-01');
    expect(labels.at(-1)).to.equal('2024-01-10');
    expect(svg).to.match(/<circle class="dot" cx="58" /);
    expect(svg).to.match(/<circle class="dot" cx="702" /);
  });
});
