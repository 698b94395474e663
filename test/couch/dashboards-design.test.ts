/**
 * The map functions of the `dashboards` design document, run as pouchdb-server runs them
 * (strict mode, a stub `emit`) on hand-made documents, and checked against the website's
 * own reading of the same documents (server/workflow-progress.ts).
 */
import { expect } from 'chai';
import vm from 'node:vm';
import { compileDesignDoc } from '../../couch/design.js';
import { GROUP_STATUSES, STATUS_GROUPS } from '../../server/status-groups.js';
import { progressOf, pwgOf } from '../../server/workflow-progress.js';
import { summarizeWorkflow } from '../../server/workflow-summary.js';
import { fixtureWorkflows } from '../server/fixtures.js';

type Row = [unknown, unknown];

const views = compileDesignDoc('dashboards').views ?? {};

function runMap(view: 'dailyProduction' | 'runningQuietSince', doc: unknown): Row[] {
  const source = views[view]?.map;
  if (!source) throw new Error(`no view ${view}`);
  const emitted: Row[] = [];
  const context = vm.createContext({
    emit: (key: unknown, value: unknown) => emitted.push([key, value]),
  });
  const map = vm.runInContext(`'use strict'; (${source})`, context) as (doc: unknown) => void;
  map(JSON.parse(JSON.stringify(doc)));
  return emitted;
}

/** Unix seconds of a UTC day and hour. */
const at = (month: number, day: number, hour = 12) => Date.UTC(2025, month - 1, day, hour) / 1000;

const AOD = '/Sample/Camp-v1/AODSIM';
const MINI = '/Sample/Camp-v1/MINIAODSIM';

/** A workflow document; tests override any field, with any (wrong) type. */
function workflow(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    _id: 'pdmvserv_task_HIG-Camp-00001__v1_T_250101_000000_0001',
    RequestName: 'pdmvserv_task_HIG-Camp-00001__v1_T_250101_000000_0001',
    PrepID: 'task_HIG-CampGS-00001',
    Campaigns: ['CampGS'],
    OutputDatasets: [AOD, MINI],
    TotalEvents: 1000,
    ...overrides,
  };
}

const entry = (time: number, datasets: Record<string, unknown>) => ({
  Time: time,
  Datasets: datasets,
});
const numbers = (Events: unknown, Type: unknown = 'PRODUCTION') => ({ Type, Events, Size: 1 });

/** The rows with campaign null: what the workflow adds across campaigns, per day. */
function allCampaignRows(rows: Row[]): Row[] {
  return rows.filter(([key]) => (key as unknown[])[0] === null);
}

function sumOf(rows: Row[]): number {
  return rows.reduce((total, [, value]) => total + (value as number), 0);
}

describe('dashboards design document: dailyProduction', () => {
  it('emits the change of the final output per UTC day, merging entries of the same day', () => {
    const doc = workflow({
      EventNumberHistory: [
        entry(at(1, 10, 8), { [AOD]: numbers(500), [MINI]: numbers(100) }),
        entry(at(1, 10, 20), { [AOD]: numbers(600), [MINI]: numbers(250) }),
        entry(at(1, 12), { [AOD]: numbers(900), [MINI]: numbers(700) }),
      ],
    });
    expect(runMap('dailyProduction', doc)).to.deep.equal([
      [['CampGS', 2025, 1, 10, 'HIG'], 250],
      [[null, 2025, 1, 10, 'HIG'], 250],
      [['CampGS', 2025, 1, 12, 'HIG'], 450],
      [[null, 2025, 1, 12, 'HIG'], 450],
    ]);
  });

  it('emits nothing for days whose changes cancel out or repeat, and sorts the history by time', () => {
    const doc = workflow({
      EventNumberHistory: [
        entry(at(1, 12), { [MINI]: numbers(700) }),
        entry(at(1, 10), { [MINI]: numbers(100) }),
        // The same measurement twice (an entry recorded again) changes nothing.
        entry(at(1, 10), { [MINI]: numbers(100) }),
        entry(at(1, 11, 1), { [MINI]: numbers(400) }),
        entry(at(1, 11, 2), { [MINI]: numbers(100) }),
        entry(at(1, 13), { [MINI]: numbers(700) }),
      ],
    });
    expect(allCampaignRows(runMap('dailyProduction', doc))).to.deep.equal([
      [[null, 2025, 1, 10, 'HIG'], 100],
      [[null, 2025, 1, 12, 'HIG'], 600],
    ]);
  });

  it('counts an invalidated or deleted output as 0 from the day it became so', () => {
    const doc = workflow({
      EventNumberHistory: [
        entry(at(2, 1), { [MINI]: numbers(300) }),
        entry(at(2, 3), { [MINI]: numbers(800, 'VALID') }),
        entry(at(2, 5), { [MINI]: numbers(800, 'INVALID') }),
        entry(at(2, 6), { [MINI]: numbers(900, 'VALID') }),
        entry(at(2, 9), { [MINI]: numbers(900, 'DELETED') }),
        entry(at(2, 10), { [MINI]: numbers(900, 'DEPRECATED') }),
      ],
    });
    const rows = allCampaignRows(runMap('dailyProduction', doc));
    expect(rows).to.deep.equal([
      [[null, 2025, 2, 1, 'HIG'], 300],
      [[null, 2025, 2, 3, 'HIG'], 500],
      [[null, 2025, 2, 5, 'HIG'], -800],
      [[null, 2025, 2, 6, 'HIG'], 900],
      [[null, 2025, 2, 9, 'HIG'], -900],
      [[null, 2025, 2, 10, 'HIG'], 900],
    ]);
    expect(sumOf(rows)).to.equal(900);
  });

  it('emits one row per distinct campaign and one across campaigns', () => {
    const doc = workflow({
      PrepID: 'EXO-Run3Summer23wmLHEGS-01234',
      Campaigns: ['Run3Summer23wmLHEGS', 'Run3Summer23DRPremix', 'Run3Summer23wmLHEGS', '', null],
      EventNumberHistory: [entry(at(3, 1), { [MINI]: numbers(42) })],
    });
    expect(runMap('dailyProduction', doc)).to.deep.equal([
      [['Run3Summer23wmLHEGS', 2025, 3, 1, 'EXO'], 42],
      [['Run3Summer23DRPremix', 2025, 3, 1, 'EXO'], 42],
      [[null, 2025, 3, 1, 'EXO'], 42],
    ]);
  });

  it('takes the PWG from McM PrepIDs only', () => {
    const rowsFor = (PrepID: unknown) =>
      runMap(
        'dailyProduction',
        workflow({
          PrepID: PrepID as string,
          EventNumberHistory: [entry(at(1, 1), { [MINI]: numbers(1) })],
        }),
      ).map(([key]) => (key as unknown[])[4]);
    expect(rowsFor('task_B2G-RunIISummer20UL16wmLHEGEN-00042')).to.deep.equal(['B2G', 'B2G']);
    expect(rowsFor('SMP-Run3Summer22EEGS-00007')).to.deep.equal(['SMP', 'SMP']);
    expect(rowsFor('ReReco-Run2024F-JetMET0-ECALRatio-00002')).to.deep.equal([null, null]);
    expect(rowsFor('CMSSW_14_0_0__STD_2024_PU-TTbar_14TeV-00003')).to.deep.equal([null, null]);
    expect(rowsFor(null)).to.deep.equal([null, null]);
  });

  it('emits nothing without history, without outputs, or when the final output never appears', () => {
    expect(runMap('dailyProduction', workflow({}))).to.deep.equal([]);
    expect(runMap('dailyProduction', workflow({ EventNumberHistory: [] }))).to.deep.equal([]);
    expect(
      runMap(
        'dailyProduction',
        workflow({
          OutputDatasets: [],
          EventNumberHistory: [entry(at(1, 1), { [AOD]: numbers(5) })],
        }),
      ),
    ).to.deep.equal([]);
    expect(
      runMap(
        'dailyProduction',
        workflow({ EventNumberHistory: [entry(at(1, 1), { [AOD]: numbers(5) })] }),
      ),
    ).to.deep.equal([]);
  });

  it('survives the nulls and wrong types of old documents', () => {
    const nulls = {
      _id: 'old',
      RequestName: null,
      PrepID: null,
      Campaigns: null,
      OutputDatasets: null,
      EventNumberHistory: null,
      RequestTransition: null,
      TotalEvents: null,
    };
    expect(runMap('dailyProduction', nulls)).to.deep.equal([]);
    expect(runMap('dailyProduction', {})).to.deep.equal([]);
    const broken = workflow({
      Campaigns: 'CampGS',
      EventNumberHistory: [
        null,
        'text',
        { Time: null, Datasets: { [MINI]: numbers(9) } },
        { Time: '1736500000', Datasets: { [MINI]: numbers(9) } },
        { Time: at(1, 1), Datasets: null },
        { Time: at(1, 1), Datasets: [] },
        { Time: 1e300, Datasets: { [MINI]: numbers(9) } },
        entry(at(1, 2), { [MINI]: null }),
        entry(at(1, 3), { [MINI]: numbers(null, null) }),
        entry(at(1, 4), { [MINI]: numbers(70, null) }),
        entry(at(1, 5), { [MINI]: numbers('80') }),
      ],
    });
    expect(runMap('dailyProduction', broken)).to.deep.equal([
      [[null, 2025, 1, 4, 'HIG'], 70],
      [[null, 2025, 1, 5, 'HIG'], -70],
    ]);
  });

  it('without OutputDatasets, follows the last dataset the history names', () => {
    const doc = workflow({
      OutputDatasets: null,
      EventNumberHistory: [
        entry(at(1, 1), { [AOD]: numbers(10) }),
        entry(at(1, 2), { [AOD]: numbers(20), [MINI]: numbers(5) }),
      ],
    });
    expect(allCampaignRows(runMap('dailyProduction', doc))).to.deep.equal([
      [[null, 2025, 1, 2, 'HIG'], 5],
    ]);
  });
});

describe('dashboards design document: runningQuietSince', () => {
  const transitions = (...steps: Array<[string, number]>) =>
    steps.map(([Status, UpdateTime]) => ({ Status, UpdateTime }));

  it('keys a running workflow by the later of its running start and its last growth', () => {
    const doc = workflow({
      RequestTransition: transitions(
        ['new', at(1, 1)],
        ['assigned', at(1, 2)],
        ['running-open', at(1, 3)],
        ['running-closed', at(1, 6)],
      ),
      EventNumberHistory: [
        entry(at(1, 4), { [MINI]: numbers(10) }),
        entry(at(1, 5), { [MINI]: numbers(30) }),
        entry(at(1, 7), { [MINI]: numbers(30) }),
        entry(at(1, 8), { [MINI]: numbers(30, 'INVALID') }),
      ],
    });
    expect(runMap('runningQuietSince', doc)).to.deep.equal([[at(1, 5), [at(1, 3), at(1, 5)]]]);
  });

  it('counts a running spell from its latest start, and a workflow that never produced from then', () => {
    const doc = workflow({
      RequestTransition: transitions(
        ['running-open', at(1, 1)],
        ['failed', at(1, 2)],
        ['assigned', at(1, 3)],
        ['running-open', at(1, 9)],
        ['force-complete', at(1, 10)],
      ),
    });
    expect(runMap('runningQuietSince', doc)).to.deep.equal([[at(1, 9), [at(1, 9), null]]]);
  });

  it('emits exactly for the statuses of the running group', () => {
    const known = Object.values(GROUP_STATUSES).flat();
    expect(STATUS_GROUPS).to.include('running');
    for (const status of [...known, 'normal-archived', 'unknown-status']) {
      const rows = runMap(
        'runningQuietSince',
        workflow({ RequestTransition: transitions(['new', at(1, 1)], [status, at(1, 2)]) }),
      );
      expect(rows.length, status).to.equal(GROUP_STATUSES.running.includes(status) ? 1 : 0);
    }
  });

  it('emits nothing without transitions or times, and survives nulls', () => {
    expect(runMap('runningQuietSince', workflow({}))).to.deep.equal([]);
    expect(
      runMap('runningQuietSince', workflow({ RequestTransition: [{ Status: 'running-open' }] })),
    ).to.deep.equal([]);
    expect(
      runMap('runningQuietSince', {
        RequestTransition: [null, { Status: null }, 'x'],
        EventNumberHistory: null,
      }),
    ).to.deep.equal([]);
  });
});

describe('dashboards design document and the website agree', () => {
  it('on every fixture: daily changes add up to produced events, same campaigns and PWG', () => {
    const docs: unknown[] = [
      ...fixtureWorkflows(),
      workflow({
        OutputDatasets: null,
        EventNumberHistory: [
          entry(at(1, 1), { [AOD]: numbers(10) }),
          entry(at(1, 2), { [AOD]: numbers(20), [MINI]: numbers(5, 'DELETED') }),
        ],
      }),
      workflow({
        OutputDatasets: [MINI, AOD, MINI],
        EventNumberHistory: [
          entry(at(1, 3), { [AOD]: numbers(10, 'VALID') }),
          entry(at(1, 1), { [AOD]: numbers(25) }),
          entry(at(1, 4), { [AOD]: null }),
        ],
      }),
    ];
    for (const doc of docs) {
      const summary = summarizeWorkflow(doc);
      if (!summary) continue;
      const progress = progressOf(summary);
      const rows = runMap('dailyProduction', doc);
      const label = summary.name;
      expect(sumOf(allCampaignRows(rows)), label).to.equal(progress.produced);
      for (const campaign of progress.campaigns) {
        expect(sumOf(rows.filter(([key]) => (key as unknown[])[0] === campaign)), label).to.equal(
          progress.produced,
        );
      }
      for (const [key] of rows)
        expect((key as unknown[])[4], label).to.equal(pwgOf(summary.prepid));
    }
  });
});
