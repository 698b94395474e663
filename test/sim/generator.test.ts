/**
 * The generated world: deterministic, and shaped like the real upstream data
 * (docs/upstreams.md#reqmgr2-request-documents, #what-the-simulator-also-imitates): every
 * kind of request, real name formats, real status paths, and DBS content consistent with
 * the documents.
 */
import { expect } from 'chai';
import { fileTouches } from '../../sim/dbs-content.js';
import { World, type WorkflowSummary } from '../../sim/world/world.js';

const DATASET = /^\/[a-zA-Z0-9\-_]{1,99}\/[a-zA-Z0-9.\-_]{1,199}\/[A-Z0-9-]{1,99}$/;
const PROCESSED = /^[a-zA-Z][a-zA-Z0-9_]*(-[a-zA-Z0-9_]+){0,2}-v[0-9]*$/;
const TIER = /^[A-Z][A-Z0-9-]{2,99}$/;
const REQUEST_NAME = /^[a-z]+_[A-Za-z0-9_.-]+_\d{6}_\d{6}_(0|[1-9]\d{0,3})$/;
const KNOWN_TIERS = new Set(
  (
    'USER FEVT RAW-HLT ALCARECO ALCAPROMPT HLT DQM DQMIO DQMROOT GEN-SIM-RECODEBUG GEN-SIM-DIGI-RECODEBUG GEN-SIM-RAWDEBUG ' +
    'GEN-SIM-RAW-HLTDEBUG GEN-SIM-RAW-HLTDEBUG-RECO GEN-SIM-RAW-HLTDEBUG-RECODEBUG GEN-SIM-DIGI-RAW-HLTDEBUG-RECO ' +
    'GEN-SIM-DIGI-RAW-HLTDEBUG GEN-SIM-DIGI-HLTDEBUG-RECO GEN-SIM-DIGI-HLTDEBUG FEVTDEBUGHLT GEN-RAWDEBUG RAWDEBUG RECODEBUG ' +
    'HLTDEBUG RAWRECOSIMHLT RAW-RECOSIMHLT RECOSIMHLT FEVTHLTALL PREMIXRAW PREMIX-RAW RAW RAW-RECO LHE GEN GEN-RAW GEN-SIM SIM ' +
    'DIGI DIGI-RECO RECO RAWAODSIM GEN-SIM-RECO GEN-SIM-RAW GEN-SIM-RAW-HLT GEN-SIM-RAW-RECO GEN-SIM-DIGI GEN-SIM-DIGI-RECO ' +
    'GEN-SIM-DIGI-RAW GEN-SIM-DIGI-RAW-RECO AOD AODSIM MINIAOD MINIAODSIM NANOAOD NANOAODSIM'
  ).split(' '),
);

/**
 * ReqMgr2's allowed transitions (docs/upstreams.md#request-statuses), plus the recorded jump
 * and ReqMgr1's statuses.
 */
const ALLOWED: Record<string, string[]> = {
  new: ['new', 'assignment-approved', 'rejected', 'testing-approved'],
  'testing-approved': ['assignment-approved'],
  'assignment-approved': ['assigned', 'rejected'],
  assigned: ['staging', 'aborted', 'acquired', 'rejected-archived'],
  staging: ['staged', 'aborted'],
  staged: ['acquired', 'aborted', 'failed'],
  acquired: ['running-open', 'aborted', 'failed', 'running'],
  running: ['completed'],
  'running-open': ['running-closed', 'force-complete', 'aborted'],
  'running-closed': ['force-complete', 'completed', 'aborted'],
  'force-complete': ['completed'],
  failed: ['rejected', 'assigned'],
  completed: ['closed-out', 'rejected'],
  'closed-out': ['announced', 'rejected'],
  announced: ['rejected', 'normal-archived'],
  aborted: ['aborted-completed'],
  'aborted-completed': ['aborted-archived'],
  rejected: ['rejected-archived'],
  'normal-archived': ['rejected-archived'],
};

describe('sim generator', () => {
  let world: World;
  let all: WorkflowSummary[];
  const byKind = (kind: WorkflowSummary['kind']): WorkflowSummary[] =>
    all.filter((s) => s.kind === kind);
  const docOf = (s: WorkflowSummary): Record<string, unknown> =>
    world.request(s.name) as Record<string, unknown>;

  before(() => {
    world = new World({ seed: 11, workflows: 2000, active: 200 });
    all = [...world.list()];
  });

  it('is deterministic: the same seed gives the same documents, feed and DBS content', () => {
    const again = new World({ seed: 11, workflows: 2000, active: 200 });
    expect(again.changesSince(0).rows).to.deep.equal(world.changesSince(0).rows);
    for (const s of all.filter((_, i) => i % 37 === 0))
      expect(again.request(s.name)).to.deep.equal(world.request(s.name));
    expect(
      again.datasetsModifiedAfter(0).map((d) => [d.name, d.accessType, d.lastModified]),
    ).to.deep.equal(
      world.datasetsModifiedAfter(0).map((d) => [d.name, d.accessType, d.lastModified]),
    );
    const dataset = all.find((s) => s.kind === 'rereco' && s.status === 'normal-archived')
      ?.outputDatasets[0] as string;
    expect(again.dataset(dataset)?.files()).to.deep.equal(world.dataset(dataset)?.files());
  });

  it('gives a different world for a different seed', () => {
    const other = new World({ seed: 12, workflows: 2000, active: 200 });
    const names = new Set(all.map((s) => s.name));
    const shared = [...other.list()].filter((s) => names.has(s.name)).length;
    expect(shared).to.be.below(10);
  });

  it('generates every kind of request, with the requested number active', () => {
    expect(new Set(all.map((s) => s.kind))).to.deep.equal(
      new Set([
        'mcm-taskchain',
        'mcm-stepchain',
        'montecarlo',
        'legacy-redigi',
        'rereco',
        'rereco-taskchain',
        'relval',
        'dqmharvest',
        'validation',
        'resubmission',
        'resubmission-orphan',
      ]),
    );
    expect(all.filter((s) => s.active)).to.have.length(200);
    expect(world.activeRequests()).to.have.length(200);
  });

  it('uses real name, dataset and tier formats', () => {
    for (const s of all) {
      expect(s.name).to.match(REQUEST_NAME);
      expect(s.name.length).to.be.at.most(100);
      for (const dataset of s.outputDatasets) {
        expect(dataset).to.match(DATASET);
        const [, , processed = '', tier = ''] = dataset.split('/');
        expect(processed).to.match(PROCESSED);
        expect(tier).to.match(TIER);
      }
    }
    const tiers = new Set(
      all.flatMap((s) => s.outputDatasets.map((d) => d.split('/')[3] as string)),
    );
    expect(tiers).to.include('DQMIO');
    expect(
      [...tiers].some((tier) => !KNOWN_TIERS.has(tier)),
      'an unknown tier',
    ).to.equal(true);
  });

  it('records status transitions along ReqMgr2 paths', () => {
    for (const s of all.filter((_, i) => i % 5 === 0)) {
      const transitions = docOf(s).RequestTransition as Array<{
        Status: string;
        UpdateTime: number;
        DN: unknown;
      }>;
      expect(transitions[0]?.Status).to.equal('new');
      for (let i = 1; i < transitions.length; i++) {
        const from = transitions[i - 1] as { Status: string; UpdateTime: number };
        const to = transitions[i] as { Status: string; UpdateTime: number };
        expect(ALLOWED[from.Status] ?? [], `${s.name}: ${from.Status} -> ${to.Status}`).to.include(
          to.Status,
        );
        expect(to.UpdateTime).to.be.at.least(from.UpdateTime);
      }
      expect(docOf(s).RequestStatus).to.equal(transitions[transitions.length - 1]?.Status);
    }
    const dns = new Set(
      all.map((s) => JSON.stringify((docOf(s).RequestTransition as Array<{ DN: unknown }>)[0]?.DN)),
    );
    expect(dns).to.include.members(['""', 'null', '"unknown"']);
  });

  it('builds McM chains with Task/Step dicts, per-task dicts and McM PrepIDs', () => {
    for (const [kind, prefix] of [
      ['mcm-taskchain', 'Task'],
      ['mcm-stepchain', 'Step'],
    ] as const) {
      for (const s of byKind(kind).slice(0, 40)) {
        const doc = docOf(s);
        const count = doc[`${prefix}Chain`] as number;
        expect(count).to.be.at.least(1);
        for (let i = 1; i <= count; i++)
          expect(doc[`${prefix}${i}`], `${prefix}${i}`).to.be.an('object');
        expect(doc[`${prefix}${count + 1}`]).to.equal(undefined);
        const first = doc[`${prefix}1`] as Record<string, unknown>;
        expect(first.FilterEfficiency).to.be.a('number');
        expect(
          first.RequestNumEvents !== undefined || typeof first.InputDataset === 'string',
        ).to.equal(true);
        expect(doc.InputDataset).to.equal(undefined);
        expect(doc.AcquisitionEra)
          .to.be.an('object')
          .that.has.property(first[`${prefix}Name`] as string);
        expect(doc.ProcessingString).to.be.an('object');
        expect(doc.PrepID).to.match(/^task_[A-Z0-9]{3}-.*-[0-9]{5}$/);
        expect(first.PrepID).to.match(/^[A-Z0-9]{3}-.*-[0-9]{5}$/);
      }
    }
  });

  it('keeps legacy MonteCarlo fields at the top level and nests old OutputDatasets', () => {
    const mc = docOf(byKind('montecarlo')[0] as WorkflowSummary);
    expect(mc.RequestType).to.equal('MonteCarlo');
    expect(mc.FilterEfficiency).to.be.a('number');
    expect(mc.RequestNumEvents).to.be.a('number');
    const legacy = docOf(byKind('legacy-redigi')[0] as WorkflowSummary);
    expect(legacy.OutputDatasets).to.be.an('array');
    expect((legacy.OutputDatasets as unknown[]).every(Array.isArray)).to.equal(true);
  });

  it('gives ReReco requests lumi masks whose input statistics DBS can reproduce', () => {
    const masked = byKind('rereco')
      .map(docOf)
      .filter(
        (doc) =>
          Object.keys(doc.LumiList as object).length > 0 && typeof doc.TotalInputFiles === 'number',
      );
    expect(masked.length).to.be.at.least(5);
    let checked = 0;
    for (const doc of masked) {
      const mask = doc.LumiList as Record<string, Array<[number, number]>>;
      const input = world.dataset(doc.InputDataset as string);
      expect(input, doc.InputDataset as string).to.not.equal(undefined);
      const files = (input?.files() ?? []).filter(
        (f) => mask[String(f.run)] !== undefined && fileTouches(f, mask[String(f.run)] ?? []),
      );
      const events = files.reduce((sum, f) => sum + f.events, 0);
      expect(doc.TotalInputFiles as number).to.be.above(0);
      // Documents whose statistics ReqMgr2 doubled (WMCore #5486) are 2x.
      expect([events, 2 * events]).to.include(doc.TotalInputEvents);
      expect(doc.TotalInputLumis).to.be.a('number').above(0);
      checked++;
    }
    expect(checked).to.equal(masked.length);
  });

  it('makes Resubmissions with and without a findable parent', () => {
    for (const s of byKind('resubmission')) {
      const doc = docOf(s);
      expect(doc.RequestType).to.equal('Resubmission');
      const parent = world.describe(doc.OriginalRequestName as string);
      expect(parent, s.name).to.not.equal(undefined);
      expect(parent?.prepId).to.equal(doc.PrepID);
      expect(s.name).to.match(/^cmsunified_ACDC\d_/);
    }
    for (const s of byKind('resubmission-orphan')) {
      expect(world.lookup(docOf(s).OriginalRequestName as string).state).to.equal('missing');
      expect(world.findRequests({ prepIds: [s.prepId as string] }).map((d) => d._id)).to.deep.equal(
        [s.name],
      );
    }
  });

  it('names RelVals, harvesting and validation requests like the real ones', () => {
    for (const s of byKind('relval')) {
      expect(s.name).to.include('RVCMSSW');
      expect(s.prepId).to.match(/^CMSSW_.*-[0-9]{5}$/);
    }
    for (const s of byKind('dqmharvest')) expect(docOf(s).OutputDatasets).to.deep.equal([]);
    expect(byKind('validation').some((s) => docOf(s).PrepID === null)).to.equal(true);
    for (const s of byKind('rereco')) expect(s.prepId).to.match(/^ReReco-.*-[0-9]{5}$/);
  });

  it('has DBS records for the outputs of workflows that ran, and none before they run', () => {
    const ran = all.filter(
      (s) =>
        s.kind !== 'resubmission-orphan' && ['announced', 'normal-archived'].includes(s.status),
    );
    const outputs = ran.flatMap((s) => s.outputDatasets);
    const known = outputs.filter((d) => world.dataset(d) !== undefined);
    expect(known.length / outputs.length).to.be.above(0.9);
    expect(known.length).to.be.below(outputs.length);
    const writtenBySomeone = new Set(
      all.filter((s) => s.status !== 'new').flatMap((s) => s.outputDatasets),
    );
    const unwritten = all
      .filter((s) => s.status === 'new')
      .flatMap((s) => s.outputDatasets)
      .filter((d) => !writtenBySomeone.has(d));
    expect(unwritten.length).to.be.above(0);
    for (const d of unwritten) expect(world.dataset(d), d).to.equal(undefined);
    for (const s of byKind('resubmission-orphan')) {
      for (const d of s.outputDatasets) expect(world.dataset(d), d).to.equal(undefined);
    }
  });

  it('keeps every dataset record consistent with its files', () => {
    const datasets = world.datasetsModifiedAfter(0);
    const types = new Set(datasets.map((d) => d.accessType));
    expect(types).to.include.members(['VALID', 'PRODUCTION', 'INVALID']);
    for (const d of datasets.filter((_, i) => i % 50 === 0)) {
      const files = d.files();
      expect(files.length, d.name).to.be.above(0);
      for (const f of files) {
        expect(f.lfn).to.match(/^\/store\/.+\.root$/);
        expect(f.events).to.be.above(0);
        expect(f.lastLumi).to.be.at.least(f.firstLumi);
      }
    }
  });
});
