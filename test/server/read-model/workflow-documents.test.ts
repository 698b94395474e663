/**
 * The documents `get_json` and the workflow page hand out: kept in a bounded cache while
 * the index (which follows `_changes`) names the same revision, read from CouchDB
 * otherwise. The index here is a stand-in that names whatever revision the test says, so
 * that "the feed told of a change" is a fact, not a race; the documents are real ones in
 * the test CouchDB.
 */
import { expect } from 'chai';
import type { StoredWorkflow } from '../../../workflow/documents.js';
import { WorkflowRepository } from '../../../couch/workflows.js';
import { WorkflowDocuments } from '../../../server/read-model/workflow-documents.js';
import type { WorkflowIndex } from '../../../server/read-model/workflow-index.js';
import type { WorkflowQueries } from '../../../server/read-model/workflow-query.js';
import { setUpTestDatabases } from '../../support/couch.js';
import { fillerWorkflows, fixtureWorkflows, TASKCHAIN } from '../fixtures.js';

/** A repository that counts the single-document reads it sends to CouchDB. */
class CountingRepository extends WorkflowRepository {
  reads = 0;

  override async get(id: string): Promise<StoredWorkflow | undefined> {
    this.reads++;
    return super.get(id);
  }
}

describe('website: documents for get_json, cached while the index has their revision', function () {
  let repository: CountingRepository;
  const revisions = new Map<string, string>();
  let ready = true;
  const index = {
    get ready() {
      return ready;
    },
    find: (name: string) => {
      const revision = revisions.get(name);
      return revision === undefined ? undefined : { name, revision };
    },
  } as unknown as WorkflowIndex;
  const documents = (cacheBytes?: number) =>
    new WorkflowDocuments({
      workflows: repository,
      queries: {} as WorkflowQueries,
      index,
      ...(cacheBytes === undefined ? {} : { cacheBytes }),
    });
  const fillers = fillerWorkflows(20);

  before(async () => {
    const { couch, names } = await setUpTestDatabases('documents');
    repository = new CountingRepository(couch.server, names.requests);
    for (const outcome of await repository.writeMany([...fixtureWorkflows(), ...fillers]))
      expect(outcome.ok).to.equal(true);
    for (const doc of [...fixtureWorkflows(), ...fillers])
      revisions.set(doc._id, ((await repository.get(doc._id)) as StoredWorkflow)._rev as string);
  });
  beforeEach(() => {
    repository.reads = 0;
    ready = true;
  });

  it('reads a document once, then answers it from memory while its revision is current', async () => {
    const cache = documents();
    const first = await cache.json(TASKCHAIN);
    const again = await cache.json(TASKCHAIN);
    expect(repository.reads).to.equal(1);
    expect(again?.body.equals(first?.body as Buffer)).to.equal(true);
    expect(again?.revision).to.equal(revisions.get(TASKCHAIN));
  });

  it('reads it again once the index names another revision (the feed told of a change)', async () => {
    const cache = documents();
    const before = (await cache.json(TASKCHAIN)) as { revision: string; body: Buffer };
    const current = (await repository.get(TASKCHAIN)) as StoredWorkflow;
    const [written] = await repository.writeMany([{ ...current, RequestPriority: 515151 }]);
    if (!written?.ok) throw new Error(`writing ${TASKCHAIN} failed`);
    // Not yet in the feed: the cached copy is still what the site knows.
    repository.reads = 0;
    expect((await cache.json(TASKCHAIN))?.revision).to.equal(before.revision);
    expect(repository.reads).to.equal(0);
    revisions.set(TASKCHAIN, written.rev);
    const after = (await cache.json(TASKCHAIN)) as { revision: string; body: Buffer };
    expect(repository.reads).to.equal(1);
    expect(after.revision).to.equal(written.rev);
    expect(after.body.toString('utf8')).to.include('"RequestPriority": 515151');
  });

  it('reads CouchDB every time while the index is not ready', async () => {
    const cache = documents();
    ready = false;
    await cache.json(TASKCHAIN);
    await cache.json(TASKCHAIN);
    expect(repository.reads).to.equal(2);
  });

  it('keeps no more than its bound, dropping the least recently asked', async () => {
    const oneDocument = ((await documents().json(fillers[0]?._id as string)) as { body: Buffer })
      .body.length;
    const bound = 4 * (oneDocument + 200) + 100;
    const cache = documents(bound);
    for (const doc of fillers) await cache.json(doc._id);
    expect(cache.cachedBytes).to.be.at.most(bound);
    expect(cache.cachedBytes).to.be.above(bound / 2);
    repository.reads = 0;
    await cache.json(fillers.at(-1)?._id as string);
    expect(repository.reads).to.equal(0);
    await cache.json(fillers[0]?._id as string);
    expect(repository.reads).to.equal(1);
  });
});
