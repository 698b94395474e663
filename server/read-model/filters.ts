/**
 * The list page's filters (docs/website.md#filters): one query parameter each, answered
 * through one view of `_designDoc` (workflow_name is a direct look-up). When several are
 * given, the first in this order wins, as in the original.
 */
import type { WorkflowView } from '../../couch/workflows.js';

export const FILTER_NAMES = [
  'workflow_name',
  'prepid',
  'output_dataset',
  'input_dataset',
  'campaign',
  'type',
  'processing_string',
  'request',
] as const;

export type FilterName = (typeof FILTER_NAMES)[number];

export type ViewFilterName = Exclude<FilterName, 'workflow_name'>;

export interface Filter {
  name: FilterName;
  value: string;
}

export const FILTER_VIEWS: Record<ViewFilterName, WorkflowView> = {
  prepid: 'prepids',
  output_dataset: 'outputDatasets',
  input_dataset: 'inputDatasets',
  campaign: 'campaigns',
  type: 'types',
  processing_string: 'processingStrings',
  request: 'requests',
};

/** Results of these filters are sorted by the date-time part of RequestName. */
export const DATE_SORTED_FILTERS: ReadonlySet<FilterName> = new Set([
  'prepid',
  'output_dataset',
  'input_dataset',
  'request',
]);

/** Where `search?q=` sends a query: the first of these with a match, else workflow_name. */
export const SEARCH_ORDER: readonly ViewFilterName[] = FILTER_NAMES.filter(
  (name): name is ViewFilterName => name !== 'workflow_name',
);

export const FILTER_LABELS: Record<FilterName, string> = {
  workflow_name: 'workflow',
  prepid: 'PrepID',
  output_dataset: 'output dataset',
  input_dataset: 'input dataset',
  campaign: 'campaign',
  type: 'type',
  processing_string: 'processing string',
  request: 'request',
};
