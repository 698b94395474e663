/**
 * ReqMgr2's CouchDB behind cmsweb (`/couchdb/reqmgr_workload_cache`): the `_changes` feed
 * (UPSTREAM §3) and raw request documents (§2.1).
 */
import { createHash } from 'node:crypto';
import type { World } from '../../world/world.js';
import { json, type Route, type SimRequest, type SimResponse } from '../http.js';

const MALFORMED_SINCE = {
  error: 'bad_request',
  reason: "Malformed sequence supplied in 'since' parameter.",
};

function changes(world: World, request: SimRequest): SimResponse {
  const feed = request.query.get('feed') ?? 'normal';
  if (feed !== 'normal')
    return json(400, {
      error: 'bad_request',
      reason: `feed=${feed} is not supported by the simulator (only normal)`,
    });
  if ((request.query.get('descending') ?? 'false') !== 'false') {
    return json(400, {
      error: 'bad_request',
      reason: 'descending=true is not supported by the simulator',
    });
  }
  const since = world.changes.decode(request.query.get('since') ?? '0');
  if (since === 'malformed') return json(400, MALFORMED_SINCE);
  const rawLimit = request.query.get('limit');
  let limit = Infinity;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit))
      return json(400, {
        error: 'query_parse_error',
        reason: `Invalid value for integer: "${rawLimit}"`,
      });
    limit = Number(rawLimit);
  }
  const includeDocs = request.query.get('include_docs') === 'true';
  const result = world.changesSince(since.seq, limit);
  // Byte layout of CouchDB's feed=normal (chttpd_db changes_callback).
  const rows = result.rows.map((row) => {
    let text = `{"seq":${JSON.stringify(world.changes.encode(row.seq))},"id":${JSON.stringify(row.id)},"changes":[{"rev":${JSON.stringify(row.rev)}}]`;
    if (row.deleted) text += ',"deleted":true';
    if (includeDocs) {
      const doc = row.deleted
        ? { _id: row.id, _rev: row.rev, _deleted: true }
        : world.documentOfRef(row.ref);
      text += `,"doc":${JSON.stringify(doc ?? null)}`;
    }
    return `${text}}`;
  });
  const lastSeq = world.changes.encode(result.lastSeq);
  const body = `{"results":[\n${rows.join(',\n')}${rows.length > 0 ? '\n' : ''}],\n"last_seq":${JSON.stringify(lastSeq)},"pending":${result.pending}}\n`;
  const etag = createHash('md5').update(lastSeq).digest('hex').toUpperCase();
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', ETag: `"${etag}"` },
    body,
    chunked: true,
  };
}

function document(world: World, id: string): SimResponse {
  const found = world.lookup(id);
  if (found.state === 'present')
    return json(200, found.doc, { ETag: `"${String(found.doc._rev)}"` });
  return json(404, { error: 'not_found', reason: found.state });
}

export function couchdbRoutes(world: World): Route[] {
  return [
    {
      endpoint: 'changes',
      method: 'GET',
      pattern: /^\/couchdb\/reqmgr_workload_cache\/_changes$/,
      handle: (request) => changes(world, request),
    },
    {
      endpoint: 'request',
      method: 'GET',
      pattern: /^\/couchdb\/reqmgr_workload_cache\/((?:_design\/)?[^_/][^/]*)$/,
      handle: (_request, match) => document(world, match[1] ?? ''),
    },
  ];
}
