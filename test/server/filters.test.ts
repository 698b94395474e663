/**
 * The filters answer from the in-process index; the views of `_designDoc` are what they
 * stand for (and what other readers of the database use). For every value of every
 * filter in the fixtures — documents of every shape, also after changes and deletions —
 * both must name the same workflows in the same order.
 */
import { expect } from 'chai';
import type { StoredWorkflow } from '../../workflow/documents.js';
import {
  DATE_SORTED_FILTERS,
  FILTER_VIEWS,
  type ViewFilterName,
} from '../../server/read-model/filters.js';
import { WorkflowQueries } from '../../server/read-model/workflow-query.js';
import { requestDateKey } from '../../workflow/request-date.js';
import { fillerWorkflows, fixtureWorkflows, NOW, STEPCHAIN, TASKCHAIN } from './fixtures.js';
import { eventually, startTestWebsite, type TestWebsite } from './support.js';

/** Every value a document offers each filter, read loosely (the views decide what counts). */
function valuesOf(doc: StoredWorkflow): Array<[ViewFilterName, string]> {
  const d = doc as unknown as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]);
  const pairs: Array<[ViewFilterName, unknown]> = [
    ['prepid', d.PrepID],
    ...list(d.OutputDatasets).map((v): [ViewFilterName, unknown] => ['output_dataset', v]),
    ['input_dataset', d.InputDataset],
    ...list(d.Campaigns).map((v): [ViewFilterName, unknown] => ['campaign', v]),
    ['type', d.RequestType],
    ['processing_string', d.ProcessingString],
    ...list(d.Requests).map((v): [ViewFilterName, unknown] => ['request', v]),
  ];
  return pairs.flatMap(([filter, value]) =>
    typeof value === 'string' && value !== '' ? [[filter, value] as [ViewFilterName, string]] : [],
  );
}

/** The view's answer in display order (what the website answered before it kept an index). */
function ordered(filter: ViewFilterName, names: string[]): string[] {
  if (!DATE_SORTED_FILTERS.has(filter)) return names;
  return names
    .map((name, position) => ({ name, position, key: requestDateKey(name) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position))
    .map((entry) => entry.name);
}

describe('website: filters answer from the index exactly as their views', function () {
  this.timeout(120_000);
  let site: TestWebsite;
  let queries: WorkflowQueries;
  const docs = [...fixtureWorkflows(), ...fillerWorkflows(40)];

  before(async () => {
    site = await startTestWebsite('filters', docs);
    queries = new WorkflowQueries({ index: site.index });
  });
  after(() => site.close());

  const compareAll = async (current: StoredWorkflow[]) => {
    const pairs = new Map<string, [ViewFilterName, string]>();
    for (const doc of current)
      for (const pair of valuesOf(doc)) pairs.set(pair.join('\u0000'), pair);
    // Values nobody has, and values of one filter asked of another.
    pairs.set('x', ['campaign', 'NoSuchCampaign']);
    pairs.set('y', ['type', 'Summer24GS']);
    pairs.set('z', ['prepid', 'task_HIG']);
    let compared = 0;
    for (const [filter, value] of pairs.values()) {
      const fromView = ordered(
        filter,
        await site.workflows.namesByKey(FILTER_VIEWS[filter], value),
      );
      expect(queries.names({ name: filter, value }), `${filter}=${value}`).to.deep.equal(fromView);
      compared++;
    }
    return compared;
  };

  it('for every value in the fixtures', async () => {
    expect(await compareAll(docs)).to.be.above(100);
  });

  it('after changes and deletions the feed brings', async () => {
    const stepchain = (await site.workflows.get(STEPCHAIN)) as StoredWorkflow;
    const changed: StoredWorkflow = {
      ...stepchain,
      Campaigns: ['Summer24GS', 'BrandNewCampaign'],
      PrepID: 'task_NEW-PrepID-00001',
      OutputDatasets: ['/New/Dataset-v1/AOD'],
      LastUpdate: NOW,
    };
    expect((await site.workflows.writeMany([changed]))[0]?.ok).to.equal(true);
    expect((await site.workflows.deleteMany([TASKCHAIN]))[0]?.ok).to.equal(true);
    await eventually(async () => {
      expect(queries.names({ name: 'campaign', value: 'BrandNewCampaign' })).to.deep.equal([
        STEPCHAIN,
      ]);
      expect(site.index.find(TASKCHAIN)).to.equal(undefined);
    });
    const current = docs
      .filter((doc) => doc._id !== TASKCHAIN)
      .map((doc) => (doc._id === STEPCHAIN ? changed : doc));
    expect(await compareAll([...current, ...docs])).to.be.above(100);
  });
});
