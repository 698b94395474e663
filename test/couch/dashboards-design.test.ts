/**
 * The map function of the `dashboards` design document, run as pouchdb-server runs it
 * (strict mode, a stub `emit`) on hand-made documents, and checked against the website's
 * own reading of the same documents (server/read-model/workflow-progress.ts).
 */
import { expect } from 'chai';
import vm from 'node:vm';
import { compileDesignDoc } from '../../couch/design.js';
import { GROUP_STATUSES, STATUS_GROUPS } from '../../server/read-model/status-groups.js';
import { progressOf, pwgOf } from '../../server/read-model/workflow-progress.js';
import { summarizeWorkflow } from '../../server/read-model/workflow-summary.js';
import { dashboardWorld } from '../server/dashboard-world.js';
import { fixtureWorkflows, NOW } from '../server/fixtures.js';

type Row = [unknown, unknown];

const source = compileDesignDoc('dashboards').views?.production;

/** Runs the `production` map function in strict mode, as pouchdb-server does, with a stub emit. */
function runMap(doc: unknown): Row[] {
  if (!source) throw new Error('no view production');
  const emitted: Row[] = [];
  const context = vm.createContext({
    emit: (key: unknown, value: unknown) => emitted.push([key, value]),
  });
  const map = vm.runInContext(`'use strict'; (${source.map})`, context) as (doc: unknown) => void;
  map(JSON.parse(JSON.stringify(doc)));
  return emitted;
}

/** Unix seconds of a UTC day and hour. */
const at = (month: number, day: number, hour = 12) => Date.UTC(2025, month - 1, day, hour) / 1000;

/**
 * A row's value: the change on each day from the 1st of its month (day 1), on into the next
 * month (day 32 after a month of 31 days), up to the last day that changed.
 */
function days(changes: Record<number, number>): number[] {
  const last = Math.max(...Object.keys(changes).map(Number));
  return Array.from({ length: last }, (_, i) => changes[i + 1] ?? 0);
}

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
const transitions = (...steps: Array<[string, number]>) =>
  steps.map(([Status, UpdateTime]) => ({ Status, UpdateTime }));

const isRunningRow = ([key]: Row) => (key as unknown[])[0] === true;
const monthRows = (rows: Row[]) => rows.filter((row) => !isRunningRow(row));
const runningRows = (rows: Row[]) => rows.filter(isRunningRow);

function sumOf(rows: Row[]): number {
  return rows.reduce(
    (total, [, value]) => total + (value as number[]).reduce((a, b) => a + b, 0),
    0,
  );
}

describe('dashboards design document: production per campaign, day by day', () => {
  it('gives the change of the final output per UTC day, merging entries of the same day', () => {
    const doc = workflow({
      EventNumberHistory: [
        entry(at(1, 10, 8), { [AOD]: numbers(500), [MINI]: numbers(100) }),
        entry(at(1, 10, 20), { [AOD]: numbers(600), [MINI]: numbers(250) }),
        entry(at(1, 12), { [AOD]: numbers(900), [MINI]: numbers(700) }),
        entry(at(2, 1), { [AOD]: numbers(900), [MINI]: numbers(710) }),
      ],
    });
    expect(runMap(doc)).to.deep.equal([
      [[['CampGS'], 2025, 1, 'HIG'], days({ 10: 250, 12: 450, 32: 10 })],
    ]);
  });

  it('leaves days whose changes cancel out or repeat at 0, and sorts the history by time', () => {
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
    expect(runMap(doc)).to.deep.equal([[[['CampGS'], 2025, 1, 'HIG'], days({ 10: 100, 12: 600 })]]);
    // A row whose changes all cancel out is not emitted.
    const cancelled = workflow({
      EventNumberHistory: [
        entry(at(3, 1, 1), { [MINI]: numbers(50) }),
        entry(at(3, 1, 2), { [MINI]: numbers(0, 'INVALID') }),
      ],
    });
    expect(runMap(cancelled)).to.deep.equal([]);
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
    const rows = runMap(doc);
    expect(rows).to.deep.equal([
      [[['CampGS'], 2025, 2, 'HIG'], days({ 1: 300, 3: 500, 5: -800, 6: 900, 9: -900, 10: 900 })],
    ]);
    expect(sumOf(rows)).to.equal(900);
  });

  it('emits one row whatever the number of campaigns, keyed by their sorted distinct set', () => {
    const rowsFor = (Campaigns: unknown) =>
      runMap(
        workflow({
          PrepID: 'EXO-Run3Summer23wmLHEGS-01234',
          Campaigns,
          EventNumberHistory: [
            entry(at(3, 2), { [MINI]: numbers(42) }),
            entry(at(4, 1), { [MINI]: numbers(50) }),
          ],
        }),
      );
    const rowsOf = (campaigns: string[]) => [[[campaigns, 2025, 3, 'EXO'], days({ 2: 42, 32: 8 })]];
    // No campaign: counted once across campaigns, in none of them.
    expect(rowsFor([])).to.deep.equal(rowsOf([]));
    expect(rowsFor(null)).to.deep.equal(rowsOf([]));
    expect(rowsFor(['', null, 7])).to.deep.equal(rowsOf([]));
    expect(rowsFor(['Run3Summer23wmLHEGS'])).to.deep.equal(rowsOf(['Run3Summer23wmLHEGS']));
    // Duplicates, empty names and non-strings left out; the order the document lists them in
    // does not matter.
    const two = ['Run3Summer23DRPremix', 'Run3Summer23wmLHEGS'];
    expect(
      rowsFor(['Run3Summer23wmLHEGS', 'Run3Summer23DRPremix', 'Run3Summer23wmLHEGS', '', null, 7]),
    ).to.deep.equal(rowsOf(two));
    expect(rowsFor([...two].reverse())).to.deep.equal(rowsOf(two));
    const three = ['Run3Summer23DRPremix', 'Run3Summer23MiniAODv4', 'Run3Summer23wmLHEGS'];
    for (const listed of [
      ['Run3Summer23wmLHEGS', 'Run3Summer23DRPremix', 'Run3Summer23MiniAODv4'],
      [
        'Run3Summer23MiniAODv4',
        'Run3Summer23wmLHEGS',
        'Run3Summer23DRPremix',
        'Run3Summer23MiniAODv4',
      ],
    ])
      expect(rowsFor(listed)).to.deep.equal(rowsOf(three));
  });

  it('gives the losses of a workflow of several campaigns in its one row', () => {
    const rows = runMap(
      workflow({
        Campaigns: ['CampDR', 'CampGS'],
        EventNumberHistory: [
          entry(at(5, 1), { [MINI]: numbers(300) }),
          entry(at(5, 5), { [MINI]: numbers(300, 'INVALID') }),
          entry(at(6, 2), { [MINI]: numbers(400, 'VALID') }),
          entry(at(6, 3), { [MINI]: numbers(100, 'VALID') }),
        ],
      }),
    );
    expect(rows).to.deep.equal([
      [[['CampDR', 'CampGS'], 2025, 5, 'HIG'], days({ 1: 300, 5: -300, 33: 400, 34: -300 })],
    ]);
    expect(sumOf(rows)).to.equal(100);
  });

  it('takes the PWG from McM PrepIDs only', () => {
    const pwgsFor = (PrepID: unknown) =>
      runMap(
        workflow({ PrepID, EventNumberHistory: [entry(at(1, 1), { [MINI]: numbers(1) })] }),
      ).map(([key]) => (key as unknown[])[3]);
    expect(pwgsFor('task_B2G-RunIISummer20UL16wmLHEGEN-00042')).to.deep.equal(['B2G']);
    expect(pwgsFor('SMP-Run3Summer22EEGS-00007')).to.deep.equal(['SMP']);
    expect(pwgsFor('ReReco-Run2024F-JetMET0-ECALRatio-00002')).to.deep.equal([null]);
    expect(pwgsFor('CMSSW_14_0_0__STD_2024_PU-TTbar_14TeV-00003')).to.deep.equal([null]);
    expect(pwgsFor(null)).to.deep.equal([null]);
  });

  it('emits nothing without history, without outputs, or when the final output never appears', () => {
    expect(runMap(workflow({}))).to.deep.equal([]);
    expect(runMap(workflow({ EventNumberHistory: [] }))).to.deep.equal([]);
    const aodOnly = [entry(at(1, 1), { [AOD]: numbers(5) })];
    expect(runMap(workflow({ OutputDatasets: [], EventNumberHistory: aodOnly }))).to.deep.equal([]);
    expect(runMap(workflow({ EventNumberHistory: aodOnly }))).to.deep.equal([]);
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
    expect(runMap(nulls)).to.deep.equal([]);
    expect(runMap({})).to.deep.equal([]);
    const broken = workflow({
      Campaigns: 'CampGS',
      RequestTransition: [null, { Status: null }, 'x', { Status: 5 }],
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
    expect(runMap(broken)).to.deep.equal([[[[], 2025, 1, 'HIG'], days({ 4: 70, 5: -70 })]]);
  });

  it('dates each change by its UTC day, as Date does, from 1900 to 2100', () => {
    // One entry a little over 17 days after the other, at varying hours: every day of the
    // month and leap years come up.
    const start = Date.UTC(1900, 0, 1) / 1000;
    const history = Array.from({ length: 4300 }, (_, i) => ({
      Time: start + i * (17 * 86_400 + 3_613) + (i % 7) * 0.5,
      Datasets: { [MINI]: numbers(i + 1) },
    }));
    const rows = runMap(workflow({ EventNumberHistory: history }));
    const expected = new Map<string, number>();
    for (const { Time } of history) {
      const day = new Date(Time * 1000).toISOString().slice(0, 10);
      expected.set(day, (expected.get(day) ?? 0) + 1);
    }
    const actual = new Map<string, number>();
    for (const [key, value] of rows) {
      const [, year, month] = key as [unknown, number, number, unknown];
      const changes = value as number[];
      for (let i = 0; i < changes.length; i++) {
        const day = new Date(Date.UTC(year, month - 1, 1 + i)).toISOString().slice(0, 10);
        if (changes[i] !== 0) actual.set(day, (actual.get(day) ?? 0) + (changes[i] as number));
      }
      // No row reaches past the month after its own.
      const last = new Date(Date.UTC(year, month - 1, changes.length));
      expect(
        last.getUTCFullYear() * 12 + last.getUTCMonth() - (year * 12 + month - 1),
      ).to.be.at.most(1);
    }
    expect(actual).to.deep.equal(expected);
    expect(rows[0]?.[0]).to.deep.equal([['CampGS'], 1900, 1, 'HIG']);
    expect((rows.at(-1)?.[0] as number[])[1]).to.equal(2100);
  });

  it('spans a row over its month and the next; a change after them starts the next row', () => {
    const history = [
      entry(at(4, 2), { [MINI]: numbers(10) }),
      entry(at(4, 9), { [MINI]: numbers(30) }),
      entry(at(5, 31), { [MINI]: numbers(31) }),
      entry(at(6, 1), { [MINI]: numbers(35) }),
      entry(at(8, 2), { [MINI]: numbers(36) }),
    ];
    const inOrder = runMap(workflow({ EventNumberHistory: history }));
    expect(inOrder).to.deep.equal([
      [[['CampGS'], 2025, 4, 'HIG'], days({ 2: 10, 9: 20, 61: 1 })],
      [[['CampGS'], 2025, 6, 'HIG'], days({ 1: 4 })],
      [[['CampGS'], 2025, 8, 'HIG'], days({ 2: 1 })],
    ]);
    // A history stored out of order gives the same rows.
    expect(runMap(workflow({ EventNumberHistory: [...history].reverse() }))).to.deep.equal(inOrder);
  });

  it('takes campaign and dataset names as they are, even those of Object.prototype', () => {
    const rows = runMap(
      workflow({
        Campaigns: ['constructor', '__proto__', 'toString', '__proto__'],
        OutputDatasets: ['hasOwnProperty', 'constructor'],
        EventNumberHistory: [entry(at(1, 1), { constructor: numbers(3) })],
      }),
    );
    expect(rows.map(([key]) => (key as unknown[])[0])).to.deep.equal([
      ['__proto__', 'constructor', 'toString'],
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
    expect(runMap(doc)).to.deep.equal([
      [
        [['CampGS'], 2025, 1, 'HIG'],
        [0, 5],
      ],
    ]);
  });
});

describe('dashboards design document: running workflows by how long they produced nothing', () => {
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
    const rows = runMap(doc);
    expect(runningRows(rows)).to.deep.equal([[[true, at(1, 5), at(1, 3), at(1, 5)], []]]);
    expect(monthRows(rows)).to.have.length(1);
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
    expect(runMap(doc)).to.deep.equal([[[true, at(1, 9), at(1, 9), null], []]]);
  });

  it('emits exactly for the statuses of the running group', () => {
    const known = Object.values(GROUP_STATUSES).flat();
    expect(STATUS_GROUPS).to.include('running');
    for (const status of [...known, 'normal-archived', 'unknown-status']) {
      const rows = runMap(
        workflow({ RequestTransition: transitions(['new', at(1, 1)], [status, at(1, 2)]) }),
      );
      expect(rows.length, status).to.equal(GROUP_STATUSES.running.includes(status) ? 1 : 0);
    }
  });

  it('emits nothing without transitions or times, and survives nulls', () => {
    expect(runMap(workflow({ RequestTransition: [{ Status: 'running-open' }] }))).to.deep.equal([]);
    expect(
      runMap({ RequestTransition: [null, { Status: null }, 'x'], EventNumberHistory: null }),
    ).to.deep.equal([]);
  });
});

describe('dashboards design document and the website agree', () => {
  it('on every fixture: the day-by-day changes add up to produced events, same campaigns and PWG', () => {
    const docs: unknown[] = [
      ...fixtureWorkflows(),
      ...dashboardWorld(NOW),
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
      const rows = monthRows(runMap(doc));
      const label = summary.name;
      expect(sumOf(rows), label).to.equal(progress.produced);
      const months = rows.map(([key]) => (key as unknown[]).slice(1, 3).join('-'));
      expect(new Set(months).size, `${label}: rows start in distinct months`).to.equal(rows.length);
      for (const [, value] of rows)
        expect((value as number[]).length, `${label}: two months at most`).to.be.at.most(62);
      for (const [key] of rows) {
        expect((key as unknown[])[0], label).to.deep.equal([...new Set(progress.campaigns)].sort());
        expect((key as unknown[])[3], label).to.equal(pwgOf(summary.prepid));
      }
    }
  });
});
