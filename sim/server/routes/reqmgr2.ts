/**
 * ReqMgr2 REST `GET /reqmgr2/data/request`
 * (docs/upstreams.md#reqmgr2-rest-look-up-by-prepid, #mask-rules): selection by name,
 * prep_id, status, request_type; `mask`; the streamed `{"result": [...]}` envelope.
 */
import { randomBytes } from 'node:crypto';
import type { World } from '../../world/world.js';
import { json, type Route, type SimRequest, type SimResponse } from '../http.js';
import { maskDocument } from '../request-masks.js';

const SELECTORS = ['name', 'prep_id', 'status', 'request_type'] as const;
const OPTIONS = ['mask', 'detail', 'common_dict'];

/** WMCore REST error: status plus X-Error-* headers. */
function restError(status: number, detail: string, info: string): SimResponse {
  return json(
    status,
    { error: detail, info },
    {
      'X-REST-Status': '302',
      'X-Error-HTTP': String(status),
      'X-Error-ID': randomBytes(16).toString('hex'),
      'X-Error-Detail': detail.slice(0, 200),
      'X-Error-Info': info,
    },
  );
}

/** `{"result": [\n` + one JSON value per line + `\n]}` like WMCore's JSONFormat. */
export function restEnvelope(items: unknown[]): SimResponse {
  const body =
    items.length === 0
      ? '{"result": []}'
      : `{"result": [\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]}`;
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'X-REST-Status': '100' },
    body,
  };
}

function request(world: World, req: SimRequest): SimResponse {
  for (const key of new Set(req.query.keys())) {
    if (!(SELECTORS as readonly string[]).includes(key) && !OPTIONS.includes(key))
      return restError(400, 'Invalid input parameter', key);
  }
  const all = (key: string): string[] | undefined =>
    req.query.has(key) ? req.query.getAll(key) : undefined;
  if (!SELECTORS.some((key) => req.query.has(key))) {
    return restError(
      400,
      'Invalid input parameter',
      'give at least one of name, prep_id, status, request_type',
    );
  }
  const docs = world.findRequests({
    names: all('name'),
    prepIds: all('prep_id'),
    statuses: all('status'),
    types: all('request_type'),
  });
  const masks = req.query.getAll('mask');
  const shaped = (doc: Record<string, unknown>): Record<string, unknown> =>
    masks.length > 0 ? maskDocument(doc, masks) : doc;
  if (req.query.get('detail') === 'false') return restEnvelope(docs.map((doc) => doc._id));
  if (req.query.get('common_dict') === '1') return restEnvelope(docs.map(shaped));
  if (docs.length === 0) return restEnvelope([]);
  return restEnvelope([Object.fromEntries(docs.map((doc) => [doc._id, shaped(doc)]))]);
}

export function reqmgr2Routes(world: World): Route[] {
  return [
    {
      endpoint: 'reqmgr2',
      method: 'GET',
      pattern: /^\/reqmgr2\/data\/request\/?$/,
      handle: (req) => request(world, req),
    },
  ];
}
