import { expect } from 'chai';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { LookupAnswers } from '../../updater/lookups.js';
import { parseReqMgrDocument } from '../../updater/reqmgr-document.js';
import {
  describeDifference,
  documentDifferences,
  judgeWorkflow,
  shortValue,
  type UpstreamView,
} from '../../updater/verify.js';
import {
  buildWorkflowDocument,
  documentChanged,
  type BuiltWorkflowDocument,
} from '../../updater/workflow-document.js';
import { RERECO_NAME, reRecoDocument } from './fixtures.js';

const HISTORY = [{ Time: 1_800_000_000, Datasets: {} }];

function rebuilt(): BuiltWorkflowDocument {
  return buildWorkflowDocument(parseReqMgrDocument(reRecoDocument()), new LookupAnswers()).document;
}

/** The rebuilt document as the updater stores it: with a revision, a write time and a history. */
function stored(changes: Record<string, unknown> = {}): StoredWorkflow {
  return {
    ...rebuilt(),
    _rev: '3-abc',
    LastUpdate: 1_800_000_100,
    EventNumberHistory: HISTORY,
    ...changes,
  };
}

const problemsOf = (doc: StoredWorkflow | undefined, view: UpstreamView, active?: boolean) =>
  judgeWorkflow(RERECO_NAME, doc, view, active).problems;

describe('verify: a stored workflow against the upstream (pure)', () => {
  const upstream: UpstreamView = { kind: 'rebuilt', document: rebuilt() };

  it('a stored document as the updater wrote it matches, whatever its revision, write time and history', () => {
    expect(documentDifferences(stored(), rebuilt())).to.deep.equal([]);
    expect(documentDifferences(stored({ EventNumberHistory: [] }), rebuilt())).to.deep.equal([]);
    expect(judgeWorkflow(RERECO_NAME, stored(), upstream, true)).to.deep.equal({
      name: RERECO_NAME,
      problems: [],
    });
  });

  it('names each field that differs, with short values', () => {
    const doc = stored({ RequestPriority: 1, PrepID: undefined, Legacy: 'x' });
    expect(problemsOf(doc, upstream)).to.deep.equal([
      'PrepID: stored (absent), upstream "ReReco-Run2024F-JetMET0-ECALRatio-00002"',
      'RequestPriority: stored 1, upstream 110000',
      'Legacy: stored "x", upstream (absent)',
    ]);
  });

  it('finds a difference exactly when the updater would write the document', () => {
    const tampered = [
      {},
      { RequestPriority: 1 },
      { TotalEvents: -1 },
      { PrepID: null },
      { OutputDatasets: [...rebuilt().OutputDatasets].reverse() },
      { LumiList: { '382229': [[1, 180]] } },
      { Extra: 1 },
    ];
    for (const changes of tampered) {
      const doc = stored(changes);
      const written = documentChanged(doc, { ...rebuilt(), EventNumberHistory: HISTORY });
      expect(documentDifferences(doc, rebuilt()).length > 0, JSON.stringify(changes)).to.equal(
        written,
      );
    }
  });

  it('narrows a long list or object to its first differing entry', () => {
    const transitions = rebuilt().RequestTransition ?? [];
    const described = (changes: Record<string, unknown>) =>
      documentDifferences(stored(changes), rebuilt()).map(describeDifference);
    expect(described({ RequestTransition: transitions.slice(0, -1) })).to.deep.equal([
      'RequestTransition[3]: stored (absent), upstream {"Status":"running-open","UpdateTime":1725268202}',
    ]);
    const extraRun = {
      ...rebuilt().LumiList,
      '399999': [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ],
    };
    expect(described({ LumiList: extraRun })).to.deep.equal([
      'LumiList.399999: stored [[1,2],[3,4],[5,6],[7,8]], upstream (absent)',
    ]);
  });

  it('keeps values short', () => {
    expect(shortValue(undefined)).to.equal('(absent)');
    expect(shortValue('a'.repeat(100))).to.equal(`"${'a'.repeat(58)}…`);
    expect(shortValue(Array.from({ length: 30 }, (_, i) => i))).to.equal('[30 entries]');
  });

  it('a workflow ReqMgr2 deleted must be absent here; one it has must be stored', () => {
    expect(problemsOf(stored(), { kind: 'gone' })).to.deep.equal([
      'deleted in ReqMgr2, still stored here',
    ]);
    expect(problemsOf(undefined, { kind: 'gone' })).to.deep.equal([]);
    expect(problemsOf(undefined, upstream)).to.deep.equal(['in ReqMgr2, not stored here']);
  });

  it('an active workflow needs a history; unknown activity checks nothing', () => {
    const noHistory = stored({ EventNumberHistory: [] });
    expect(problemsOf(noHistory, upstream, true)).to.deep.equal([
      'active in WMStats, but has no history',
    ]);
    expect(problemsOf(stored({ EventNumberHistory: null }), upstream, true)).to.have.length(1);
    expect(problemsOf(noHistory, upstream, false)).to.deep.equal([]);
    expect(problemsOf(noHistory, upstream, undefined)).to.deep.equal([]);
  });

  it('an upstream failure leaves the document unverified, but other problems still count', () => {
    const failed: UpstreamView = { kind: 'failed', reason: 'reqmgr2: HTTP 503' };
    expect(judgeWorkflow(RERECO_NAME, stored(), failed, true)).to.deep.equal({
      name: RERECO_NAME,
      problems: [],
      unverified: 'reqmgr2: HTTP 503',
    });
    expect(problemsOf(stored({ EventNumberHistory: [] }), failed, true)).to.deep.equal([
      'active in WMStats, but has no history',
    ]);
  });
});
