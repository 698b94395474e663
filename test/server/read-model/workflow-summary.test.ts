import { expect } from 'chai';
import { campaignLinks, requestLinks } from '../../../server/render/links.js';
import { SortedNames } from '../../../server/read-model/sorted-names.js';
import { AtomTable } from '../../../server/read-model/atom-table.js';
import {
  packSummary,
  revisionOf,
  unpackSummary,
} from '../../../server/read-model/packed-summary.js';
import { datasetTier, summarizeWorkflow } from '../../../server/read-model/workflow-summary.js';

describe('website: workflow summaries, links, sorted names', () => {
  it('takes each dataset from the latest history entry that has it, whatever the stored order', () => {
    const summary = summarizeWorkflow({
      _id: 'wf',
      OutputDatasets: ['/a/b/AOD', '/a/b/MINIAOD', '/a/b/NANOAOD'],
      EventNumberHistory: [
        { Time: 30, Datasets: { '/a/b/AOD': { Type: 'VALID', Events: 30, Size: 3 } } },
        {
          Time: 10,
          Datasets: {
            '/a/b/AOD': { Type: 'PRODUCTION', Events: 10, Size: 1 },
            '/a/b/MINIAOD': { Type: 'PRODUCTION', Events: 9, Size: 1 },
          },
        },
      ],
    });
    expect(summary?.datasets.map((d) => [d.name, d.events, d.type])).to.deep.equal([
      ['/a/b/AOD', 30, 'VALID'],
      ['/a/b/MINIAOD', 9, 'PRODUCTION'],
      ['/a/b/NANOAOD', undefined, undefined],
    ]);
    expect(summary?.datasets.map((d) => datasetTier(d.name))).to.deep.equal([
      'AOD',
      'MINIAOD',
      'NANOAOD',
    ]);
  });

  it('lumis mode needs ReReco/Resubmission, a LumiList and TotalInputLumis > 0', () => {
    const base = {
      _id: 'wf',
      RequestType: 'rereco',
      LumiList: { '5': [[1, 2]] },
      TotalInputLumis: 10,
    };
    expect(summarizeWorkflow(base)?.lumisMode).to.equal(true);
    expect(summarizeWorkflow({ ...base, RequestType: 'Resubmission' })?.lumisMode).to.equal(true);
    expect(summarizeWorkflow({ ...base, RequestType: 'TaskChain' })?.lumisMode).to.equal(false);
    expect(summarizeWorkflow({ ...base, TotalInputLumis: null })?.lumisMode).to.equal(false);
    expect(summarizeWorkflow({ ...base, LumiList: {} })?.lumisMode).to.equal(false);
    expect(summarizeWorkflow({ ...base, LumiList: 'x' })?.lumisMode).to.equal(false);
    expect(summarizeWorkflow(base)?.firstRun).to.equal(5);
  });

  it('first and last status, deduplicated requests and campaigns; design documents are not workflows', () => {
    const summary = summarizeWorkflow({
      _id: 'wf',
      RequestTransition: [
        { Status: 'new', UpdateTime: 1 },
        { Status: 'assigned' },
        { Status: 'completed', UpdateTime: 3 },
      ],
      Campaigns: ['A', 'A', 'B', 7],
      Requests: ['R', 'R'],
    });
    expect([
      summary?.firstStatus,
      summary?.firstStatusTime,
      summary?.lastStatus,
      summary?.lastStatusTime,
    ]).to.deep.equal(['new', 1, 'completed', 3]);
    expect(summary?.campaigns).to.deep.equal(['A', 'B']);
    expect(summary?.requests).to.deep.equal(['R']);
    expect(summarizeWorkflow({ _id: '_design/_designDoc' })).to.equal(undefined);
    expect(summarizeWorkflow(null)).to.equal(undefined);
    expect(summarizeWorkflow({ _id: 'only-id' })?.datasets).to.deep.equal([]);
    expect(['no-slashes', '/only/two', '/a/b/c/d'].map(datasetTier)).to.deep.equal([
      'no-slashes',
      'two',
      'd',
    ]);
  });

  it('packs to one record and back without losing anything, the revision with it', () => {
    const atoms = new AtomTable();
    const summary = summarizeWorkflow({
      _id: 'wf"<x>',
      RequestName: 'wf"<x>',
      PrepID: 'task_A-B-00001',
      RequestType: 'ReReco',
      LumiList: { '7': [[1, 2]] },
      TotalInputLumis: 4,
      TotalEvents: -1,
      RequestPriority: 2 ** 40 + 3,
      LastUpdate: 1.5,
      RequestTransition: [{ Status: 'new', UpdateTime: 1 }, { Status: 'done' }],
      Campaigns: ['C', 'Ünïcødé 漢字'],
      Requests: ['R-1', 'R-2'],
      ProcessingString: 'PS_v1',
      InputDataset: '/In/Put-v1/RAW',
      OutputDatasets: [
        '/a/b/AOD',
        '/a/b/DQMIO',
        'odd',
        '/a/c/AOD',
        '/a/c/AOD2',
        '/x/😀/y',
        '/a/b/AOD3',
      ],
      EventNumberHistory: [
        {
          Time: 5,
          Datasets: { '/a/b/AOD': { Type: 'VALID', Events: 3, Size: 12_345_678_901, Lumis: 2 } },
        },
      ],
    });
    const full = summary as NonNullable<typeof summary>;
    for (const revision of ['12-0123456789abcdef0123456789abcdef', 'odd-rev', undefined]) {
      const packed = packSummary(full, revision, atoms);
      expect(packed).to.be.a('string');
      expect(unpackSummary('wf"<x>', packed, atoms)).to.deep.equal(full);
      expect(revisionOf(packed)).to.equal(revision);
      expect([...packed].every((c) => c.charCodeAt(0) < 256)).to.equal(true);
    }
    expect(full.filterable).to.equal(true);
    expect(summarizeWorkflow({ _id: 'x' })?.filterable).to.equal(false);
    const shared = packSummary(full, undefined, atoms);
    expect(shared.length).to.be.below(JSON.stringify(full).length / 2);
    // A PrepID and requests that are part of the name are kept as where they are in it.
    const named = summarizeWorkflow({
      _id: 'pdmvserv_task_HIG-Camp-00001__v1_T_240101_000000_0001',
      PrepID: 'task_HIG-Camp-00001',
      Requests: ['HIG-Camp-00001', 'OTHER-00002', 'task_'],
    }) as NonNullable<typeof summary>;
    const packedNamed = packSummary(named, undefined, atoms);
    expect(unpackSummary(named.name, packedNamed, atoms)).to.deep.equal(named);
    expect(packedNamed).not.to.include('HIG-Camp');
  });

  it('links a request to the PdmV service its PrepID form names', () => {
    expect(requestLinks('task_HIG-Camp-00001').map((l) => l.href)).to.deep.equal([
      'https://cms-pdmv.cern.ch/mcm/requests?prepid=HIG-Camp-00001',
      'https://cms-pdmv.cern.ch/pmp/historical?r=HIG-Camp-00001',
    ]);
    expect(requestLinks('not a prepid')).to.deep.equal([]);
    expect(
      campaignLinks('CMSSW_14_0_0__STD_2024_PU', 'CMSSW_14_0_0__STD_2024_PU-TTbar_14TeV-00003')[0]
        ?.href,
    ).to.equal(
      'https://cms-pdmv.cern.ch/relval/relvals?cmssw_release=CMSSW_14_0_0&batch_name=STD_2024_PU',
    );
    expect(campaignLinks('Anything', undefined)).to.deep.equal([]);
  });

  it('sorted names merge additions and removals in batches of any size', () => {
    const names = new SortedNames();
    names.reset(['d', 'b', 'f']);
    names.addMany(['a', 'e']);
    names.removeMany(['b']);
    expect(names.slice(0, 10)).to.deep.equal(['a', 'd', 'e', 'f']);
    const many = Array.from({ length: 100 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    names.addMany([...many].reverse());
    names.removeMany(many.filter((_, i) => i % 2 === 0));
    expect(names.length).to.equal(54);
    expect(names.slice(0, 6)).to.deep.equal(['a', 'd', 'e', 'f', 'n001', 'n003']);
  });
});
