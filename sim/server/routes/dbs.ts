/**
 * dbs2go's global reader under `/dbs/prod/global/DBSReader` (docs/upstreams.md#dbs-reader):
 * `datasetlist` (POST), `filesummaries`, `files` and `datasets`, with dbs2go's strictness
 * about parameters and content types and its JSON-list error bodies.
 */
import { gunzipSync } from 'node:zlib';
import {
  blockName,
  fileTouches,
  summarise,
  type DatasetState,
  type DbsFile,
} from '../../dbs-content.js';
import { hashOf } from '../../prng.js';
import type { World } from '../../world/world.js';
import { dbsErrorResponse, type Route, type SimRequest, type SimResponse } from '../http.js';

const BASE = '/dbs/prod/global/DBSReader';

/** dbs2go's accepted GET parameters (static/parameters.json); the simulator implements `implemented`. */
const PARAMETERS = {
  datasets: {
    accepted: [
      'dataset',
      'parent_dataset',
      'release_version',
      'pset_hash',
      'app_name',
      'output_module_label',
      'global_tag',
      'processing_version',
      'acquisition_era_name',
      'run_num',
      'physics_group_name',
      'logical_file_name',
      'primary_ds_name',
      'primary_ds_type',
      'processed_ds_name',
      'data_tier_name',
      'dataset_access_type',
      'prep_id',
      'create_by',
      'last_modified_by',
      'min_cdate',
      'max_cdate',
      'min_ldate',
      'max_ldate',
      'cdate',
      'ldate',
      'detail',
      'dataset_id',
    ],
    implemented: [
      'dataset',
      'dataset_access_type',
      'min_ldate',
      'max_ldate',
      'detail',
      'data_tier_name',
      'primary_ds_name',
      'prep_id',
    ],
  },
  files: {
    accepted: [
      'dataset',
      'block_name',
      'logical_file_name',
      'release_version',
      'pset_hash',
      'app_name',
      'output_module_label',
      'run_num',
      'origin_site_name',
      'lumi_list',
      'detail',
      'validFileOnly',
      'sumOverLumi',
    ],
    implemented: ['dataset', 'run_num', 'lumi_list', 'detail', 'validFileOnly'],
  },
  filesummaries: {
    accepted: ['block_name', 'dataset', 'run_num', 'validFileOnly', 'sumOverLumi'],
    implemented: ['dataset', 'run_num', 'validFileOnly'],
  },
} as const;

/** `[\n` + one Go json.Encoder line per record, comma-separated + `]\n`; keys sorted. */
function dbsList(records: Array<Record<string, unknown>>): SimResponse {
  const body =
    records.length === 0
      ? '[]\n'
      : `[\n${records.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))))).join('\n,')}\n]\n`;
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
}

function invalid(request: SimRequest, message: string, code = 113): SimResponse {
  return dbsErrorResponse(
    request,
    400,
    code,
    `DBSError Code:${code} Description:validation error`,
    message,
  );
}

/** Rejects parameters dbs2go does not accept (400), or that the simulator does not implement. */
function checkParameters(
  request: SimRequest,
  api: keyof typeof PARAMETERS,
): SimResponse | undefined {
  const { accepted, implemented } = PARAMETERS[api];
  for (const key of new Set(request.query.keys())) {
    if (!(accepted as readonly string[]).includes(key))
      return invalid(request, `invalid parameter(s): ${key}`, 118);
    if (!(implemented as readonly string[]).includes(key))
      return invalid(
        request,
        `parameter ${key} is accepted by DBS but not implemented by the simulator`,
        118,
      );
  }
  return undefined;
}

function truthy(value: unknown): boolean {
  return value === 1 || value === true || value === '1' || value === 'true' || value === 'True';
}

function accessTypeMatches(dataset: DatasetState, wanted: string): boolean {
  return wanted === '*' || wanted === '%' || dataset.accessType === wanted;
}

function datasetRecord(dataset: DatasetState, detail: boolean): Record<string, unknown> {
  if (!detail) return { dataset: dataset.name };
  const [, primary = '', processed = '', tier = ''] = dataset.name.split('/');
  return {
    dataset_id: dataset.datasetId,
    dataset: dataset.name,
    prep_id: dataset.prepId,
    xtcrosssection: null,
    creation_date: dataset.createdAt,
    create_by: dataset.createdBy,
    last_modification_date: dataset.lastModified,
    last_modified_by: dataset.createdBy,
    primary_ds_name: primary,
    primary_ds_type: dataset.dataType,
    processed_ds_name: processed,
    data_tier_name: tier,
    dataset_access_type: dataset.accessType,
    acquisition_era_name: dataset.acquisitionEra,
    processing_version: dataset.processingVersion,
    physics_group_name: dataset.physicsGroup,
  };
}

/** The `dataset` names of a `datasetlist` body; none when it cannot be read (the route says why). */
function datasetListNames(request: SimRequest): string[] {
  try {
    const raw =
      request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
    const body = JSON.parse(raw.toString('utf8')) as { dataset?: unknown };
    const names = typeof body.dataset === 'string' ? [body.dataset] : body.dataset;
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

function queryDataset(request: SimRequest): string[] {
  return request.query.getAll('dataset');
}

function datasetList(world: World, request: SimRequest): SimResponse {
  if (request.headers['content-type'] !== 'application/json') {
    return dbsErrorResponse(
      request,
      415,
      117,
      'DBSError Code:117 Description:not supported content type',
      `unsupported Content-Type ${String(request.headers['content-type'])}, use application/json`,
    );
  }
  let payload: unknown;
  try {
    const raw =
      request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
    payload = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return invalid(request, `unable to decode request body: ${String(err)}`, 115);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return invalid(request, 'request body must be a JSON object', 115);
  const body = payload as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!['dataset', 'detail', 'dataset_access_type'].includes(key))
      return invalid(request, `invalid parameter(s): ${key}`, 118);
  }
  const names = typeof body.dataset === 'string' ? [body.dataset] : body.dataset;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    return invalid(request, 'dataset must be a string or a list of strings');
  const wanted = typeof body.dataset_access_type === 'string' ? body.dataset_access_type : 'VALID';
  const detail = truthy(body.detail);
  const found = [...new Set(names as string[])]
    .sort()
    .map((name) => world.dataset(name))
    .filter((d): d is DatasetState => d !== undefined && accessTypeMatches(d, wanted));
  return dbsList(found.map((d) => datasetRecord(d, detail)));
}

function runFilter(request: SimRequest): { runs: number[] | undefined; error?: string } {
  const values = request.query.getAll('run_num');
  if (values.length === 0) return { runs: undefined };
  const runs = values.map(Number);
  if (runs.some((run) => !Number.isInteger(run) || run < 0))
    return { runs, error: `invalid run_num ${values.join(',')}` };
  return { runs };
}

function fileSummaries(world: World, request: SimRequest): SimResponse {
  const problem = checkParameters(request, 'filesummaries');
  if (problem !== undefined) return problem;
  const name = request.query.get('dataset');
  if (name === null)
    return invalid(
      request,
      'filesummaries needs dataset (block_name is not implemented by the simulator)',
    );
  const { runs, error } = runFilter(request);
  if (error !== undefined) return invalid(request, error);
  const dataset = world.dataset(name);
  const scoped: DatasetState | undefined =
    dataset === undefined || runs === undefined
      ? dataset
      : { ...dataset, files: () => dataset.files().filter((f) => runs.includes(f.run)) };
  // One row even for a dataset DBS does not know (SELECT ... FROM dual).
  return dbsList([{ ...summarise(scoped, request.query.get('validFileOnly') === '1') }]);
}

/** `[[a,b],...]` ranges or a flat `[1,2,3]`; URL-encoded `+` spaces tolerated. */
export function parseLumiList(raw: string): Array<[number, number]> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const ranges: Array<[number, number]> = [];
  for (const item of parsed) {
    if (Number.isInteger(item)) ranges.push([item as number, item as number]);
    else if (
      Array.isArray(item) &&
      item.length === 2 &&
      item.every(Number.isInteger) &&
      (item[0] as number) <= (item[1] as number)
    ) {
      ranges.push([item[0] as number, item[1] as number]);
    } else return undefined;
  }
  return ranges;
}

function fileRecord(
  dataset: DatasetState,
  file: DbsFile,
  detail: boolean,
  withRun: boolean,
): Record<string, unknown> {
  const run = withRun ? { run_num: file.run } : {};
  if (!detail) return { logical_file_name: file.lfn, ...run };
  return {
    file_id: 7_000_000_000 + hashOf(file.lfn),
    logical_file_name: file.lfn,
    is_file_valid: file.valid ? 1 : 0,
    dataset_id: dataset.datasetId,
    dataset: dataset.name,
    block_id: 30_000_000 + file.block,
    block_name: blockName(dataset.name, file.block),
    file_type_id: 1,
    file_type: 'EDM',
    check_sum: String((file.events * 2654435761) % 4294967296),
    event_count: file.events,
    file_size: file.size,
    branch_hash_id: null,
    adler32: (file.size % 4294967296).toString(16).padStart(8, '0'),
    md5: null,
    auto_cross_section: null,
    creation_date: file.createdAt,
    create_by: dataset.createdBy,
    last_modification_date: file.createdAt,
    last_modified_by: dataset.createdBy,
    ...run,
  };
}

function files(world: World, request: SimRequest): SimResponse {
  const problem = checkParameters(request, 'files');
  if (problem !== undefined) return problem;
  const name = request.query.get('dataset');
  if (name === null)
    return invalid(
      request,
      'files needs dataset (block_name / logical_file_name are not implemented by the simulator)',
    );
  const { runs, error } = runFilter(request);
  if (error !== undefined) return invalid(request, error);
  const rawLumis = request.query.get('lumi_list');
  const lumis = rawLumis === null ? undefined : parseLumiList(rawLumis);
  if (rawLumis !== null && lumis === undefined)
    return invalid(request, `unable to parse lumi_list ${rawLumis}`);
  if (lumis !== undefined && (runs === undefined || runs.length !== 1))
    return invalid(request, 'lumi_list needs exactly one run_num');
  if (runs !== undefined && runs.length === 1 && runs[0] === 1 && lumis === undefined) {
    return invalid(request, 'run_num=1 (MC) needs lumi_list or logical_file_name');
  }
  const dataset = world.dataset(name);
  if (dataset === undefined) return dbsList([]);
  const validOnly = request.query.get('validFileOnly') === '1';
  if (validOnly && dataset.accessType !== 'VALID' && dataset.accessType !== 'PRODUCTION')
    return dbsList([]);
  const selected = dataset
    .files()
    .filter((f) => (validOnly ? f.valid : true))
    .filter((f) => runs === undefined || runs.includes(f.run))
    .filter((f) => lumis === undefined || fileTouches(f, lumis));
  return dbsList(
    selected.map((f) =>
      fileRecord(dataset, f, truthy(request.query.get('detail')), runs !== undefined),
    ),
  );
}

function matchesPattern(value: string, pattern: string): boolean {
  if (!pattern.includes('*')) return value === pattern;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

function datasets(world: World, request: SimRequest): SimResponse {
  const problem = checkParameters(request, 'datasets');
  if (problem !== undefined) return problem;
  const q = request.query;
  const number = (key: string): number | undefined | 'bad' => {
    const raw = q.get(key);
    if (raw === null) return undefined;
    return /^\d+$/.test(raw) ? Number(raw) : 'bad';
  };
  const minLdate = number('min_ldate');
  const maxLdate = number('max_ldate');
  if (minLdate === 'bad' || maxLdate === 'bad')
    return invalid(request, 'min_ldate/max_ldate must be epoch seconds');
  const wanted = q.get('dataset_access_type') ?? 'VALID';
  const pattern = q.get('dataset');
  if (minLdate === undefined && pattern === null && q.get('prep_id') === null) {
    return invalid(
      request,
      'give dataset, prep_id or min_ldate (the simulator does not list all of DBS otherwise)',
    );
  }
  const candidates =
    pattern !== null && !pattern.includes('*')
      ? [world.dataset(pattern)].filter(
          (d): d is DatasetState =>
            d !== undefined && (minLdate === undefined || d.lastModified > minLdate),
        )
      : world.datasetsModifiedAfter(minLdate ?? -1);
  const tier = q.get('data_tier_name');
  const primary = q.get('primary_ds_name');
  const prepId = q.get('prep_id');
  const selected = candidates.filter(
    (d) =>
      accessTypeMatches(d, wanted) &&
      (pattern === null || matchesPattern(d.name, pattern)) &&
      (maxLdate === undefined || d.lastModified < maxLdate) &&
      (tier === null || d.name.endsWith(`/${tier}`)) &&
      (primary === null || d.name.split('/')[1] === primary) &&
      (prepId === null || d.prepId === prepId),
  );
  return dbsList(selected.map((d) => datasetRecord(d, truthy(q.get('detail')))));
}

export function dbsRoutes(world: World): Route[] {
  return [
    {
      endpoint: 'datasetlist',
      method: 'POST',
      pattern: new RegExp(`^${BASE}/datasetlist/?$`),
      handle: (req) => datasetList(world, req),
      datasetsOf: datasetListNames,
    },
    {
      endpoint: 'filesummaries',
      method: 'GET',
      pattern: new RegExp(`^${BASE}/filesummaries/?$`),
      handle: (req) => fileSummaries(world, req),
      datasetsOf: queryDataset,
    },
    {
      endpoint: 'files',
      method: 'GET',
      pattern: new RegExp(`^${BASE}/files/?$`),
      handle: (req) => files(world, req),
      datasetsOf: queryDataset,
    },
    {
      endpoint: 'datasets',
      method: 'GET',
      pattern: new RegExp(`^${BASE}/datasets/?$`),
      handle: (req) => datasets(world, req),
      datasetsOf: queryDataset,
    },
  ];
}
