/**
 * The DBS global reader (dbs2go) on cmsweb-prod (docs/upstreams.md#dbs-reader). dbs2go
 * answers errors as a JSON list holding an error object (docs/upstreams.md#dbs-errors):
 * those become errors here, never zero events.
 */
import { z } from 'zod';
import { callTarget, httpError, type UpstreamTarget } from './http.js';
import { validate } from './validate.js';

const READER = '/dbs/prod/global/DBSReader';
/** dbs2go splits bigger lists itself; we keep each POST small. */
export const DATASETS_PER_POST = 100;

export interface DatasetAccess {
  dataset: string;
  dataset_access_type: string;
}

export interface FileSummary {
  num_event: number;
  file_size: number;
  num_lumi: number;
  num_file: number;
  num_block: number;
}

export interface DbsFileApiRow {
  logical_file_name: string;
  event_count: number;
  run_num: number;
}

const count = z.number().int().nonnegative();
const datasetListSchema = z.array(
  z.looseObject({ dataset: z.string(), dataset_access_type: z.string() }),
);
const fileSummariesSchema = z
  .array(
    z.looseObject({
      num_event: count,
      file_size: count,
      num_lumi: count,
      num_file: count,
      num_block: count,
    }),
  )
  .length(1, 'filesummaries must answer exactly one row');
const filesSchema = z.array(
  z.looseObject({ logical_file_name: z.string(), event_count: count, run_num: z.number().int() }),
);
const datasetsSchema = z.array(z.looseObject({ dataset: z.string() }));

/** A dbs2go error list that came with a 2xx status is still an error. */
function rejectErrorList(endpoint: string, status: number, body: unknown): void {
  if (
    Array.isArray(body) &&
    body.some((item) => typeof item === 'object' && item !== null && 'error' in item)
  ) {
    throw httpError(endpoint, status, JSON.stringify(body));
  }
}

export class DbsClient {
  constructor(private readonly target: UpstreamTarget) {}

  /**
   * Access types of the datasets DBS knows (unknown ones are absent), any access type.
   * `retry: false`: transient failures are not retried (the caller narrows them down).
   */
  async datasetList(
    datasets: readonly string[],
    options: { retry?: boolean } = {},
  ): Promise<DatasetAccess[]> {
    const unique = [...new Set(datasets)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += DATASETS_PER_POST)
      chunks.push(unique.slice(i, i + DATASETS_PER_POST));
    const answers = await Promise.all(
      chunks.map((chunk) => this.datasetListChunk(chunk, options.retry ?? true)),
    );
    return answers.flat();
  }

  /** Events, size and lumis of a dataset: always one row (zeros when DBS does not know it). */
  async fileSummaries(dataset: string, validFileOnly: boolean): Promise<FileSummary> {
    const endpoint = 'dbs.filesummaries';
    const query = new URLSearchParams({ dataset });
    if (validFileOnly) query.set('validFileOnly', '1');
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: `${READER}/filesummaries`,
      query,
      idempotent: true,
    });
    rejectErrorList(endpoint, answer.status, answer.body);
    const [row] = validate(endpoint, fileSummariesSchema, answer.body);
    const { num_event, file_size, num_lumi, num_file, num_block } = row as FileSummary;
    return { num_event, file_size, num_lumi, num_file, num_block };
  }

  /** Files of one run (a LumiList key or a number) holding any of the lumi ranges: one row per (file, run), whole-file events. */
  async files(
    dataset: string,
    run: number | string,
    lumiRanges: ReadonlyArray<readonly [number, number]>,
    validFileOnly: boolean,
  ): Promise<DbsFileApiRow[]> {
    if (lumiRanges.length === 0) return [];
    const endpoint = 'dbs.files';
    const query = new URLSearchParams({
      dataset,
      detail: 'true',
      run_num: String(run),
      lumi_list: JSON.stringify(lumiRanges),
    });
    if (validFileOnly) query.set('validFileOnly', '1');
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: `${READER}/files`,
      query,
      idempotent: true,
    });
    rejectErrorList(endpoint, answer.status, answer.body);
    return validate(endpoint, filesSchema, answer.body).map(
      ({ logical_file_name, event_count, run_num }) => ({
        logical_file_name,
        event_count,
        run_num,
      }),
    );
  }

  /** Datasets (any access type) whose DBS record changed strictly after `epochSeconds`. */
  async datasetsModifiedSince(epochSeconds: number): Promise<string[]> {
    const endpoint = 'dbs.datasets';
    const query = new URLSearchParams({
      min_ldate: String(Math.max(0, Math.floor(epochSeconds))),
      dataset_access_type: '*',
    });
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: `${READER}/datasets`,
      query,
      idempotent: true,
    });
    rejectErrorList(endpoint, answer.status, answer.body);
    return validate(endpoint, datasetsSchema, answer.body).map((row) => row.dataset);
  }

  private async datasetListChunk(datasets: string[], retry: boolean): Promise<DatasetAccess[]> {
    const endpoint = 'dbs.datasetlist';
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'POST',
      path: `${READER}/datasetlist`,
      // dbs2go wants exactly `application/json` (415 otherwise).
      body: {
        contentType: 'application/json',
        text: JSON.stringify({ dataset: datasets, detail: 1, dataset_access_type: '*' }),
      },
      // A read, despite being a POST.
      idempotent: true,
      ...(retry ? {} : { retries: 0 }),
    });
    rejectErrorList(endpoint, answer.status, answer.body);
    return validate(endpoint, datasetListSchema, answer.body).map(
      ({ dataset, dataset_access_type }) => ({ dataset, dataset_access_type }),
    );
  }
}
