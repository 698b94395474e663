/**
 * What the update run needs from the upstream services, as an interface: the real
 * clients (updater/upstream/) implement it over HTTPS; nothing in the run knows more.
 */
import type { DatasetListRow, DbsFileRow, DbsFileSummary } from './lookups.js';

export interface ChangesRow {
  seq: unknown;
  id: string;
  deleted?: boolean;
}

export interface ChangesPage {
  results: ChangesRow[];
  /** Opaque: stored and passed back verbatim. */
  last_seq: string | number;
  pending?: number;
}

export interface UpdaterUpstream {
  /** One page of ReqMgr2's `_changes` feed since `since`. */
  changes(since: string | number, limit: number): Promise<ChangesPage>;
  /** The raw ReqMgr2 request document; rejects with an error whose `notFound` is true when ReqMgr2 has none. */
  request(name: string): Promise<unknown>;
  /** `reqmgr2/data/request?prep_id=…&mask=…`: masked fields per RequestName, in answer order. */
  requestsByPrepId(
    prepId: string,
    masks: readonly string[],
  ): Promise<Record<string, Record<string, unknown>>>;
  /** WMStats: the names of every active request. */
  activeWorkflows(): Promise<string[]>;
  /**
   * DBS `datasetlist`: the rows of the datasets DBS knows. One bad dataset fails the whole
   * call. `retry: false` skips the retries of transient failures (for the calls that narrow
   * a failed one down, which was retried already).
   */
  datasetList(
    datasets: readonly string[],
    options?: { retry?: boolean },
  ): Promise<DatasetListRow[]>;
  fileSummaries(dataset: string, validFileOnly: boolean): Promise<DbsFileSummary>;
  files(
    dataset: string,
    run: string,
    lumiRanges: ReadonlyArray<readonly [number, number]>,
    validFileOnly: boolean,
  ): Promise<DbsFileRow[]>;
  /** Datasets whose DBS row changed after `epochSeconds` (any access type). */
  datasetsModifiedSince(epochSeconds: number): Promise<string[]>;
}

export type CallbackTarget = 'prod' | 'dev';

export interface CallbackNotifier {
  /** Notifies the PdmV service owning `workflow`; resolves with what happened, rejects on failure. */
  notify(
    workflow: { _id: string; RequestType?: string | null; PrepID?: string | null },
    target: CallbackTarget,
  ): Promise<{ sent: boolean; reason?: string }>;
}
