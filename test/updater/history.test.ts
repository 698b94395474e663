import { expect } from 'chai';
import type { HistoryEntry } from '../../workflow/documents.js';
import {
  appendHistory,
  buildHistoryEntry,
  historyLookups,
  historySummaryLookups,
  recordDatasetList,
} from '../../updater/history.js';
import {
  LookupAnswers,
  LookupFailedError,
  LookupMissingError,
  type DbsFileSummary,
} from '../../updater/lookups.js';

const AOD = '/JetMET0/Run2024F-ECALRatio-v1/AOD';
const MINIAOD = '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD';
const DQMIO = '/JetMET0/Run2024F-ECALRatio-v1/DQMIO';
const NANOAOD = '/JetMET0/Run2024F-ECALRatio-v1/NANOAOD';
const OUTPUTS = [DQMIO, AOD, MINIAOD, NANOAOD];

const DATASET_LIST = [
  { dataset: AOD, dataset_access_type: 'PRODUCTION' },
  { dataset: MINIAOD, dataset_access_type: 'VALID' },
  { dataset: DQMIO, dataset_access_type: 'INVALID' },
]; // NANOAOD is not (yet) in DBS

function summary(num_event: number, file_size: number, num_lumi: number): DbsFileSummary {
  return { num_event, file_size, num_lumi };
}

/** The answers a run gathers for OUTPUTS, in the two rounds. */
function gatheredAnswers(): LookupAnswers {
  const answers = recordDatasetList(new LookupAnswers(), OUTPUTS, {
    ok: true,
    value: DATASET_LIST,
  });
  return answers
    .set(
      { kind: 'fileSummary', dataset: AOD, validFileOnly: true },
      { ok: true, value: summary(602111, 301055500000, 240) },
    )
    .set(
      { kind: 'fileSummary', dataset: MINIAOD, validFileOnly: true },
      { ok: true, value: summary(602111, 30105550000, 240) },
    )
    .set(
      { kind: 'fileSummary', dataset: DQMIO, validFileOnly: false },
      { ok: true, value: summary(1204318, 2000000000, 496) },
    );
}

function entry(Time: number, events: number, lumis?: number): HistoryEntry {
  return {
    Time,
    Datasets: {
      [AOD]: {
        Type: 'PRODUCTION',
        Events: events,
        Size: events * 500000,
        ...(lumis === undefined ? {} : { Lumis: lumis }),
      },
    },
  };
}

describe('event history', () => {
  describe('look-ups', () => {
    it('asks the access type of each distinct output dataset first', () => {
      expect(historyLookups([MINIAOD, AOD, MINIAOD])).to.deep.equal([
        { kind: 'datasetAccess', dataset: AOD },
        { kind: 'datasetAccess', dataset: MINIAOD },
      ]);
    });

    it('records a datasetlist answer: access types, null for what DBS does not know', () => {
      const answers = recordDatasetList(new LookupAnswers(), OUTPUTS, {
        ok: true,
        value: DATASET_LIST,
      });
      expect(answers.get({ kind: 'datasetAccess', dataset: MINIAOD })).to.deep.equal({
        ok: true,
        value: 'VALID',
      });
      expect(answers.get({ kind: 'datasetAccess', dataset: NANOAOD })).to.deep.equal({
        ok: true,
        value: null,
      });
    });

    it('records a failed datasetlist call as a failure for every dataset it asked about', () => {
      const error = new Error('DBS datasetlist answered 500');
      const answers = recordDatasetList(new LookupAnswers(), [AOD, NANOAOD], { ok: false, error });
      expect(answers.get({ kind: 'datasetAccess', dataset: NANOAOD })).to.deep.equal({
        ok: false,
        error,
      });
      expect(answers.has({ kind: 'datasetAccess', dataset: MINIAOD })).to.equal(false);
    });

    it('then asks filesummaries of known datasets, with validFileOnly for VALID and PRODUCTION only', () => {
      const answers = recordDatasetList(new LookupAnswers(), OUTPUTS, {
        ok: true,
        value: DATASET_LIST,
      });
      expect(historySummaryLookups(OUTPUTS, answers)).to.deep.equal([
        { kind: 'fileSummary', dataset: AOD, validFileOnly: true },
        { kind: 'fileSummary', dataset: DQMIO, validFileOnly: false },
        { kind: 'fileSummary', dataset: MINIAOD, validFileOnly: true },
      ]);
    });
  });

  describe('buildHistoryEntry', () => {
    it('records type, events and size of each dataset, NONE and zeros for one DBS does not know', () => {
      const built = buildHistoryEntry(
        { outputDatasets: OUTPUTS, lumisMode: false, time: 1725300000 },
        gatheredAnswers(),
      );
      expect(built).to.deep.equal({
        Time: 1725300000,
        Datasets: {
          [AOD]: { Type: 'PRODUCTION', Events: 602111, Size: 301055500000 },
          [MINIAOD]: { Type: 'VALID', Events: 602111, Size: 30105550000 },
          [DQMIO]: { Type: 'INVALID', Events: 1204318, Size: 2000000000 },
          [NANOAOD]: { Type: 'NONE', Events: 0, Size: 0 },
        },
      });
    });

    it('adds Lumis to every dataset exactly in lumis mode, 0 for an unknown one', () => {
      const built = buildHistoryEntry(
        { outputDatasets: OUTPUTS, lumisMode: true, time: 1725300000 },
        gatheredAnswers(),
      );
      expect(built.Datasets[AOD]).to.deep.equal({
        Type: 'PRODUCTION',
        Events: 602111,
        Size: 301055500000,
        Lumis: 240,
      });
      expect(built.Datasets[DQMIO]?.Lumis).to.equal(496);
      expect(built.Datasets[NANOAOD]).to.deep.equal({ Type: 'NONE', Events: 0, Size: 0, Lumis: 0 });
    });

    it('reads the summary asked with the validFileOnly its access type calls for', () => {
      // Another workflow reads AOD as input: its plain summary is in the same run cache.
      const answers = gatheredAnswers().set(
        { kind: 'fileSummary', dataset: AOD, validFileOnly: false },
        { ok: true, value: summary(650000, 330000000000, 260) },
      );
      const built = buildHistoryEntry(
        { outputDatasets: [AOD], lumisMode: false, time: 1725300000 },
        answers,
      );
      expect(built.Datasets[AOD]?.Events).to.equal(602111);
    });

    it('never records a known dataset as NONE for lack of the right summary', () => {
      const answers = recordDatasetList(new LookupAnswers(), [AOD], {
        ok: true,
        value: DATASET_LIST,
      }).set(
        { kind: 'fileSummary', dataset: AOD, validFileOnly: false },
        { ok: true, value: summary(650000, 330000000000, 260) },
      );
      expect(() =>
        buildHistoryEntry({ outputDatasets: [AOD], lumisMode: false, time: 1 }, answers),
      ).to.throw(
        LookupMissingError,
        `no answer was given for DBS filesummaries of ${AOD} (valid files only)`,
      );
    });

    it('fails rather than recording NONE when the datasetlist answer is missing or failed', () => {
      expect(() =>
        buildHistoryEntry(
          { outputDatasets: [AOD], lumisMode: false, time: 1 },
          new LookupAnswers(),
        ),
      ).to.throw(LookupMissingError, `DBS datasetlist entry of ${AOD}`);
      const failed = recordDatasetList(new LookupAnswers(), [AOD], {
        ok: false,
        error: new Error('timeout after 90 s'),
      });
      expect(() =>
        buildHistoryEntry({ outputDatasets: [AOD], lumisMode: false, time: 1 }, failed),
      ).to.throw(LookupFailedError, `DBS datasetlist entry of ${AOD} failed: timeout after 90 s`);
    });

    it('fails rather than recording zeros when filesummaries failed', () => {
      const answers = gatheredAnswers().set(
        { kind: 'fileSummary', dataset: MINIAOD, validFileOnly: true },
        { ok: false, error: new Error('DBSError Code:103 query error') },
      );
      expect(() =>
        buildHistoryEntry({ outputDatasets: OUTPUTS, lumisMode: false, time: 1 }, answers),
      ).to.throw(
        LookupFailedError,
        /DBS filesummaries of .*MINIAOD \(valid files only\) failed: DBSError Code:103/,
      );
    });

    it('gives the same entry whatever the order of the output datasets', () => {
      const input = { lumisMode: false, time: 1725300000 };
      const forward = buildHistoryEntry({ ...input, outputDatasets: OUTPUTS }, gatheredAnswers());
      const backward = buildHistoryEntry(
        { ...input, outputDatasets: [...OUTPUTS].reverse() },
        gatheredAnswers(),
      );
      expect(JSON.stringify(backward)).to.equal(JSON.stringify(forward));
    });
  });

  describe('appendHistory', () => {
    it('starts a history with the first entry', () => {
      expect(appendHistory([], entry(1000, 10), false)).to.deep.equal({
        history: [entry(1000, 10)],
        changed: true,
      });
    });

    it('appends nothing when the Datasets equal the latest entry’s, whatever the Time', () => {
      const history = [entry(1000, 10), entry(2000, 20)];
      const { history: after, changed } = appendHistory(history, entry(9000, 20), false);
      expect(changed).to.equal(false);
      expect(after).to.deep.equal(history);
    });

    it('compares with the latest entry by Time, not the last one in the array', () => {
      const history = [entry(2000, 20), entry(1000, 10)];
      expect(appendHistory(history, entry(3000, 20), false).changed).to.equal(false);
      const { history: after, changed } = appendHistory(history, entry(3000, 10), false);
      expect(changed).to.equal(true);
      expect(after.map((e) => e.Time)).to.deep.equal([1000, 2000, 3000]);
    });

    it('appends an entry equal to an older one but not to the latest (events went back)', () => {
      const { history, changed } = appendHistory(
        [entry(1000, 10), entry(2000, 20)],
        entry(3000, 10),
        false,
      );
      expect(changed).to.equal(true);
      expect(history.map((e) => e.Time)).to.deep.equal([1000, 2000, 3000]);
    });

    it('does not append an entry without datasets', () => {
      expect(
        appendHistory([entry(1000, 10)], { Time: 2000, Datasets: {} }, false).changed,
      ).to.equal(false);
      expect(appendHistory([], { Time: 2000, Datasets: {} }, false).changed).to.equal(false);
    });

    it('gives older snapshots without Lumis a Lumis of 0 in lumis mode, when it appends', () => {
      const history = [entry(1000, 10), entry(2000, 20, 7)];
      const { history: after } = appendHistory(history, entry(3000, 30, 12), true);
      expect(after).to.deep.equal([entry(1000, 10, 0), entry(2000, 20, 7), entry(3000, 30, 12)]);
      expect(history[0]).to.deep.equal(entry(1000, 10)); // the input is left alone
    });

    it('appends no twin of the latest entry when lumis mode switches on (NONE, 0, then Lumis 0)', () => {
      const none = (Time: number, lumis?: number): HistoryEntry => ({
        Time,
        Datasets: {
          [NANOAOD]: {
            Type: 'NONE',
            Events: 0,
            Size: 0,
            ...(lumis === undefined ? {} : { Lumis: lumis }),
          },
        },
      });
      const update = appendHistory([none(1000)], none(2000, 0), true);
      expect(update.changed).to.equal(false);
      expect(update.history).to.deep.equal([none(1000)]);
      // A real change still appends, and the older entry then reads Lumis 0.
      const grown: HistoryEntry = {
        Time: 3000,
        Datasets: { [NANOAOD]: { Type: 'PRODUCTION', Events: 10, Size: 5, Lumis: 1 } },
      };
      expect(appendHistory([none(1000)], grown, true).history).to.deep.equal([
        none(1000, 0),
        grown,
      ]);
    });

    it('leaves older snapshots alone outside lumis mode', () => {
      const { history } = appendHistory([entry(1000, 10)], entry(2000, 20), false);
      expect(history[0]?.Datasets[AOD]).not.to.have.property('Lumis');
    });

    it('appends once when the run is repeated later with the same answers (crash recovery)', () => {
      const outputDatasets = OUTPUTS;
      const first = buildHistoryEntry(
        { outputDatasets, lumisMode: true, time: 1725300000 },
        gatheredAnswers(),
      );
      const once = appendHistory([entry(1725200000, 500000)], first, true);
      expect(once.changed).to.equal(true);
      const rerun = buildHistoryEntry(
        { outputDatasets, lumisMode: true, time: 1725300420 },
        gatheredAnswers(),
      );
      const twice = appendHistory(once.history, rerun, true);
      expect(twice.changed).to.equal(false);
      expect(twice.history).to.deep.equal(once.history);
    });
  });
});
