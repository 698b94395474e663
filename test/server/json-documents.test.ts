import { expect } from 'chai';
import type { StoredWorkflow } from '../../couch/types.js';
import { JsonDocuments } from '../../server/json-documents.js';
import { noneMatch } from '../../server/routes/api.js';
import { sortedJson } from '../../server/sorted-json.js';
import type { WorkflowDocuments } from '../../server/workflow-documents.js';
import type { WorkflowIndex } from '../../server/workflow-index.js';
import { fixtureWorkflows, TASKCHAIN } from './fixtures.js';
import { eventually, startTestWebsite, type TestWebsite } from './support.js';

/** Stand-ins for the stored documents (counting reads) and the index's feed. */
function harness(maxBytes = 1_000_000) {
  const stored = new Map<string, StoredWorkflow>();
  const reads: string[] = [];
  let release: (() => void) | undefined;
  const documents = {
    async get(name: string) {
      reads.push(name);
      if (release) await new Promise<void>((resolve) => (release = resolve));
      return stored.get(name);
    },
  };
  let listener: ((names: readonly string[] | 'all') => void) | undefined;
  const index = {
    following: true,
    onChange: (l: (names: readonly string[] | 'all') => void) => (listener = l),
  };
  const json = new JsonDocuments(
    documents as unknown as WorkflowDocuments,
    index as unknown as WorkflowIndex,
    maxBytes,
  );
  const write = (name: string, rev: string, extra: Record<string, unknown> = {}) =>
    stored.set(name, { _id: name, _rev: rev, RequestName: name, ...extra });
  return {
    json,
    index,
    reads,
    write,
    announce: (names: readonly string[] | 'all') => listener?.(names),
    /** The next read waits until `finish()` is called. */
    holdNextRead: () => {
      release = () => undefined;
      return () => {
        const finish = release;
        release = undefined;
        finish?.();
      };
    },
  };
}

describe('get_json answers kept in memory', () => {
  it('reads a document from CouchDB once, until the feed says it changed', async () => {
    const h = harness();
    h.write('a', '1-x', { TotalEvents: 1 });
    const first = await h.json.get('a');
    expect(first).to.deep.equal({
      rev: '1-x',
      text: sortedJson({ _id: 'a', _rev: '1-x', RequestName: 'a', TotalEvents: 1 }, 4),
    });
    expect(await h.json.get('a')).to.deep.equal(first);
    expect(h.reads).to.deep.equal(['a']);

    h.write('a', '2-y', { TotalEvents: 2 });
    h.announce(['b']);
    expect((await h.json.get('a'))?.rev, 'another document changed').to.equal('1-x');
    h.announce(['a']);
    expect((await h.json.get('a'))?.rev).to.equal('2-y');
    h.write('a', '3-z');
    h.announce('all');
    expect((await h.json.get('a'))?.rev, 'the whole database read again').to.equal('3-z');
    expect(h.reads).to.deep.equal(['a', 'a', 'a']);
  });

  it('keeps nothing while the index does not follow the feed', async () => {
    const h = harness();
    h.write('a', '1-x');
    h.index.following = false;
    await h.json.get('a');
    await h.json.get('a');
    expect(h.reads).to.deep.equal(['a', 'a']);
    h.index.following = true;
    await h.json.get('a');
    await h.json.get('a');
    expect(h.reads).to.deep.equal(['a', 'a', 'a']);
  });

  it('does not keep an answer read while the feed announced a change', async () => {
    const h = harness();
    h.write('a', '1-x');
    const finish = h.holdNextRead();
    const pending = h.json.get('a');
    h.announce(['a']);
    finish();
    expect((await pending)?.rev).to.equal('1-x');
    h.write('a', '2-y');
    expect((await h.json.get('a'))?.rev).to.equal('2-y');
    expect(h.reads).to.deep.equal(['a', 'a']);
  });

  it('keeps no answer for a missing document, and stays within its memory', async () => {
    const h = harness(2 * sortedJson({ _id: 'a', _rev: '1-x', RequestName: 'a' }, 4).length);
    expect(await h.json.get('missing')).to.equal(undefined);
    h.write('missing', '1-m');
    expect((await h.json.get('missing'))?.rev).to.equal('1-m');
    h.write('a', '1-x');
    h.write('b', '1-x');
    await h.json.get('a');
    await h.json.get('b');
    await h.json.get('b');
    await h.json.get('a');
    expect(h.reads).to.deep.equal(['missing', 'missing', 'a', 'b', 'a']);
  });
});

describe('If-None-Match', () => {
  it('names an ETag by itself, in a list, weakly, or as *', () => {
    expect(noneMatch(undefined, '"2-b"')).to.equal(false);
    expect(noneMatch('"2-b"', '"2-b"')).to.equal(true);
    expect(noneMatch('"1-a", W/"2-b"', '"2-b"')).to.equal(true);
    expect(noneMatch(' * ', '"2-b"')).to.equal(true);
    expect(noneMatch('"1-a", "2-bb"', '"2-b"')).to.equal(false);
    expect(noneMatch('2-b', '"2-b"'), 'unquoted').to.equal(false);
  });
});

describe('website: get_json with ETag and 304', function () {
  let site: TestWebsite;

  before(async () => {
    site = await startTestWebsite('jsonetag', fixtureWorkflows());
  });
  after(() => site.close());

  it('answers the revision as ETag, 304 to a client holding it, and the new one after a change', async () => {
    const stored = (await site.workflows.get(TASKCHAIN)) as StoredWorkflow;
    const url = `/stats/get_json/${TASKCHAIN}`;
    const first = await site.get(url);
    expect(first.status).to.equal(200);
    expect(first.headers.get('etag')).to.equal(`"${stored._rev}"`);
    expect(JSON.parse(await first.text())).to.deep.equal(stored);

    for (const path of [url, `/stats/api/get_json/${TASKCHAIN}`]) {
      const again = await site.get(path, { headers: { 'If-None-Match': `"${stored._rev}"` } });
      expect(again.status, path).to.equal(304);
      expect(await again.text()).to.equal('');
    }
    const other = await site.get(url, { headers: { 'If-None-Match': '"1-other"' } });
    expect(other.status).to.equal(200);

    const [written] = await site.workflows.writeMany([{ ...stored, RequestPriority: 424242 }]);
    expect(written?.ok).to.equal(true);
    await eventually(async () => {
      const changed = await site.get(url, { headers: { 'If-None-Match': `"${stored._rev}"` } });
      expect(changed.status).to.equal(200);
      const doc = JSON.parse(await changed.text()) as StoredWorkflow;
      expect(doc.RequestPriority).to.equal(424242);
      expect(changed.headers.get('etag')).to.equal(`"${doc._rev}"`);
    }, 5000);
    const missing = await site.get('/stats/get_json/no_such_workflow_000000_000000_0000');
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('etag')).to.equal(null);
  });
});
