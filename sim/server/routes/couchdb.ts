/**
 * ReqMgr2's CouchDB behind cmsweb (`/couchdb/reqmgr_workload_cache`): the database's info
 * at its root (as CouchDB 3 answers `GET /db`), the `_changes` feed
 * (docs/upstreams.md#reqmgr2-changes-feed) and raw request documents
 * (docs/upstreams.md#reqmgr2-request-documents).
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
  const result =
    limit === 0 ? nothingSince(world, since.seq) : world.changesSince(since.seq, limit);
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

const DB_NAME = 'reqmgr_workload_cache';

/**
 * `GET /couchdb/reqmgr_workload_cache`: CouchDB 3's database info. The counts take one
 * pass over the world, so they are kept until the next change.
 */
function databaseInfo(world: World): () => SimResponse {
  let cached: { seq: string; live: number; deleted: number } | undefined;
  return () => {
    const seq = world.lastSeq();
    if (cached?.seq !== seq) {
      let live = 1; // the design document
      let deleted = 0;
      for (const workflow of world.list()) {
        if (workflow.deleted) deleted++;
        else live++;
      }
      cached = { seq, live, deleted };
    }
    const size = cached.live * 4096;
    return json(200, {
      instance_start_time: '0',
      db_name: DB_NAME,
      purge_seq: world.changes.encode(0),
      update_seq: seq,
      sizes: { file: size * 2, external: size, active: size },
      props: {},
      doc_del_count: cached.deleted,
      doc_count: cached.live,
      disk_format_version: 8,
      compact_running: false,
      cluster: { q: 8, n: 3, w: 2, r: 2 },
    });
  };
}

/** CouchDB 3 answers `limit=0` with no rows, `since` as `last_seq`, and all that follows pending. */
function nothingSince(world: World, since: number): ReturnType<World['changesSince']> {
  const next = world.changesSince(since, 1);
  return { rows: [], lastSeq: since, pending: next.rows.length + next.pending };
}

function document(world: World, id: string): SimResponse {
  const found = world.lookup(id);
  if (found.state === 'present')
    return json(200, found.doc, { ETag: `"${String(found.doc._rev)}"` });
  return json(404, { error: 'not_found', reason: found.state });
}

export function couchdbRoutes(world: World): Route[] {
  const info = databaseInfo(world);
  return [
    {
      // Counted and faulted with the feed: the same database, and nothing of ours reads it but `check`.
      endpoint: 'changes',
      method: 'GET',
      pattern: /^\/couchdb\/reqmgr_workload_cache\/?$/,
      handle: () => info(),
    },
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
