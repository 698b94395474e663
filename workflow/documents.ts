/**
 * Shapes of the documents Stats2 keeps in CouchDB (docs/workflow-document.md#fields,
 * docs/workflow-document.md#the-settings-database, docs/event-history.md#entries). They are
 * kept compatible with the Python Stats2 so that an existing database can be taken over.
 */

export interface StatusTransition {
  Status: string;
  UpdateTime: number;
}

/** One output dataset in one history entry. `Lumis` is present exactly in lumis mode. */
export interface DatasetSnapshot {
  Type: string;
  Events: number;
  Size: number;
  Lumis?: number;
}

export interface HistoryEntry {
  /** Unix seconds. */
  Time: number;
  Datasets: Record<string, DatasetSnapshot>;
}

/** `{"<run>": [[first, last], ...]}`: run numbers are string keys. */
export type LumiList = Record<string, Array<[number, number]>>;

/** The workflow document of the `requests` database, `_id` = RequestName. */
export interface WorkflowDocument {
  _id: string;
  _rev?: string;
  RequestName: string;
  RequestType?: string;
  RequestPriority: number;
  RequestTransition?: StatusTransition[];
  PrepID?: string;
  AcquisitionEra?: string | Record<string, string>;
  CMSSWVersion?: string;
  InputDataset?: string;
  OutputDatasets: string[];
  ProcessingString?: string;
  LumiList?: LumiList;
  SizePerEvent?: number;
  TimePerEvent?: number;
  Campaigns: string[];
  Requests: string[];
  TotalEvents: number;
  TotalInputLumis: number;
  EventNumberHistory: HistoryEntry[];
  /** Unix seconds of the last write. */
  LastUpdate: number;
}

/**
 * What an older Stats2 may have written: any field can be missing or null. Readers (the
 * website above all) take this shape and never assume more.
 */
export type StoredWorkflow = { _id: string; _rev?: string } & {
  [K in keyof Omit<WorkflowDocument, '_id' | '_rev'>]?: WorkflowDocument[K] | null;
};

/** `settings/all_settings`. */
export interface Settings {
  _id: 'all_settings';
  _rev?: string;
  /** Opaque `last_seq` of the ReqMgr2 `_changes` feed, stored verbatim (integer in old databases). */
  last_reqmgr_sequence: string | number;
  /** Unix seconds: the start time of the last complete update run. */
  last_dbs_update_date: number;
  failed_workflows: string[];
  [extra: string]: unknown;
}

export const SETTINGS_ID = 'all_settings';

export function defaultSettings(): Settings {
  return {
    _id: SETTINGS_ID,
    last_reqmgr_sequence: 0,
    last_dbs_update_date: 0,
    failed_workflows: [],
  };
}
