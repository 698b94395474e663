/** One workflow with the history of each output dataset drawn as charts. */
import { eventChart, type ChartPoint } from '../event-chart.js';
import { datasetHistory } from '../../read-model/event-history.js';
import { formatCount, formatDateTime, formatSize } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import type { Snapshot } from '../../read-model/stored-fields.js';
import type { WorkflowSummary } from '../../read-model/workflow-summary.js';
import type { PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import { layout } from './layout.js';
import { typeClass, workflowBlock } from './workflow-block.js';

export function workflowPage(
  context: PageContext,
  workflow: WorkflowSummary,
  eventNumberHistory: unknown,
): PagePart[] {
  const sections =
    workflow.datasets.length > 0
      ? workflow.datasets.map(({ name }) =>
          datasetSection(workflow, name, datasetHistory(eventNumberHistory, name)),
        )
      : markup`<p class="muted">This workflow has no output datasets.</p>`;
  const main = markup`${workflowBlock(workflow, context.prefix)}
<section class="history">
<h2>Event history</h2>
${sections}
</section>`;
  return layout(context, workflow.name, [main]);
}

function datasetSection(workflow: WorkflowSummary, dataset: string, history: Snapshot[]): SafeHtml {
  const tone = typeClass(history[history.length - 1]?.type ?? 'NONE');
  const points = (pick: (s: Snapshot) => number | undefined): ChartPoint[] =>
    history.flatMap((s) => {
      const value = pick(s);
      return value === undefined ? [] : [{ time: s.time, value }];
    });
  const events = eventChart(
    points((s) => s.events),
    { title: dataset, unit: 'events', target: workflow.totalEvents, tone },
  );
  const lumis =
    workflow.lumisMode &&
    eventChart(
      points((s) => s.lumis),
      { title: dataset, unit: 'lumisections', target: workflow.totalInputLumis, tone },
    );
  return markup`<figure class="dataset-history">
<figcaption class="dataset-name">${dataset}</figcaption>
<div class="charts">
<div class="chart-box"><h3>Events</h3>${events}</div>
${lumis && markup`<div class="chart-box"><h3>Lumisections</h3>${lumis}</div>`}
</div>
${history.length > 0 && historyTable(history, workflow.lumisMode)}
</figure>`;
}

/** The numbers behind the chart, newest first. */
function historyTable(history: Snapshot[], lumisMode: boolean): SafeHtml {
  const count = `${formatCount(history.length)} measurement${history.length === 1 ? '' : 's'}`;
  const number = (value: number | undefined) => (value === undefined ? '' : formatCount(value));
  const rows = [...history]
    .reverse()
    .map(
      (s) =>
        markup`<tr><td>${formatDateTime(s.time)}</td><td>${number(s.events)}</td>${lumisMode && markup`<td>${number(s.lumis)}</td>`}<td>${s.size === undefined ? '' : formatSize(s.size)}</td><td>${s.type ?? ''}</td></tr>`,
    );
  return markup`<details>
<summary>${count}</summary>
<table class="history-table">
<thead><tr><th>Time</th><th>Events</th>${lumisMode && markup`<th>Lumis</th>`}<th>Size</th><th>Type</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</details>`;
}
