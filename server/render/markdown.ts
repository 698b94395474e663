/**
 * The markdown table of `md?<filter>`: RequestName, InputDataset and OutputDatasets of
 * each workflow, each linked (ReqMgr2 for the workflow, DAS for datasets), ready to
 * paste into a ticket.
 */
import { dasDatasetHref, reqMgr2Link } from './links.js';
import type { WorkflowSummary } from '../read-model/workflow-summary.js';

export function markdownTable(workflows: readonly WorkflowSummary[]): string {
  const rows = workflows.map((workflow) => {
    const input =
      workflow.inputDataset === undefined
        ? ''
        : link(workflow.inputDataset, dasDatasetHref(workflow.inputDataset));
    const outputs = workflow.datasets
      .map(({ name }) => link(name, dasDatasetHref(name)))
      .join('<br>');
    return `| ${link(workflow.name, reqMgr2Link(workflow.name).href)} | ${input} | ${outputs} |`;
  });
  return (
    ['| RequestName | InputDataset | OutputDatasets |', '| --- | --- | --- |', ...rows].join('\n') +
    '\n'
  );
}

function link(text: string, href: string): string {
  return `[${escapeMarkdown(text)}](${href.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

/** Characters that would end a cell or a link, or start markup. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}
