/**
 * Requests that write to, reconfigure or crash a CouchDB, each sent anonymously, with a
 * wrong password and as the admin, with what the server's state looked like before and
 * after. Used by the embedded server's guard tests (and on Apache CouchDB, where the
 * anonymous rows must hold already).
 */
import { setupDatabases, type DatabaseNames } from '../../couch/setup.js';
import { connect } from '../../couch/connection.js';

export type Identity = 'anonymous' | 'wrong password' | 'admin';
export const IDENTITIES: readonly Identity[] = ['anonymous', 'wrong password', 'admin'];

export interface MatrixTarget {
  /** Base URL without credentials. */
  url: string;
  /** `Basic …` of the server admin. */
  adminHeader: string;
  names: DatabaseNames;
  /** A database name that does not exist (requests try to create it). */
  newDb: string;
  /**
   * The user of the wrong-password requests: the admin's name by default. Apache CouchDB
   * locks a user out after a few failures, so a test that needs its admin afterwards
   * gives each request an unknown user instead.
   */
  wrongUser?: () => string;
}

interface Step {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HostileRequest {
  /** e.g. `PUT /<newdb>`, with `requests` / `settings` for the two databases. */
  label: string;
  /** A read anyone may do, listed because it used to kill pouchdb-server. */
  read?: boolean;
  steps(target: MatrixTarget, fixture: Fixture): Step[];
}

interface Fixture {
  /** `_rev` of the workflow document `wf1` in `requests`. */
  rev: string;
  /** `_rev` of `_design/validate_write` in `requests`. */
  validatorRev: string;
}

export const WORKFLOW_ID = 'wf1';
const PROBE = 'probe';
const MALLORY = 'mallory';

export const HOSTILE_REQUESTS: readonly HostileRequest[] = [
  {
    label: 'POST /_replicate {source: "_replicator", target: requests}',
    steps: (t) => [
      {
        method: 'POST',
        path: '/_replicate',
        body: { source: '_replicator', target: t.names.requests },
      },
    ],
  },
  {
    label: 'POST /_replicate {source: requests, target: <newdb>, create_target: true}',
    steps: (t) => [
      {
        method: 'POST',
        path: '/_replicate',
        body: { source: t.names.requests, target: t.newDb, create_target: true },
      },
    ],
  },
  {
    label: 'POST /_replicate {source: <url>/requests, target: <url>/<newdb>, create_target: true}',
    steps: (t) => [
      {
        method: 'POST',
        path: '/_replicate',
        body: {
          source: `${t.url}/${t.names.requests}`,
          target: `${t.url}/${t.newDb}`,
          create_target: true,
        },
      },
    ],
  },
  {
    label: 'PUT /requests/_local/probe',
    steps: (t) => [{ method: 'PUT', path: `/${t.names.requests}/_local/${PROBE}`, body: { x: 1 } }],
  },
  { label: 'PUT /<newdb>', steps: (t) => [{ method: 'PUT', path: `/${t.newDb}` }] },
  {
    label: 'DELETE /settings, then GET /settings/all_settings',
    steps: (t) => [
      { method: 'DELETE', path: `/${t.names.settings}` },
      { method: 'GET', path: `/${t.names.settings}/all_settings` },
    ],
  },
  { label: 'DELETE /requests', steps: (t) => [{ method: 'DELETE', path: `/${t.names.requests}` }] },
  {
    label: 'PUT /requests/probe',
    steps: (t) => [{ method: 'PUT', path: `/${t.names.requests}/${PROBE}`, body: { x: 1 } }],
  },
  {
    label: 'POST /requests {_id: probe}',
    steps: (t) => [{ method: 'POST', path: `/${t.names.requests}`, body: { _id: PROBE } }],
  },
  {
    label: 'COPY /requests/wf1 (Destination: probe)',
    steps: (t) => [
      {
        method: 'COPY',
        path: `/${t.names.requests}/${WORKFLOW_ID}`,
        headers: { destination: PROBE },
      },
    ],
  },
  {
    label: 'DELETE /requests/wf1',
    steps: (t, f) => [
      { method: 'DELETE', path: `/${t.names.requests}/${WORKFLOW_ID}?rev=${f.rev}` },
    ],
  },
  {
    label: 'PUT /requests/wf1/probe.txt (attachment)',
    steps: (t, f) => [
      {
        method: 'PUT',
        path: `/${t.names.requests}/${WORKFLOW_ID}/${PROBE}.txt?rev=${f.rev}`,
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      },
    ],
  },
  {
    label: 'POST /requests/_bulk_docs',
    steps: (t) => [
      { method: 'POST', path: `/${t.names.requests}/_bulk_docs`, body: { docs: [{ _id: PROBE }] } },
    ],
  },
  {
    label: 'POST /requests/_bulk_docs new_edits=false',
    steps: (t) => [
      {
        method: 'POST',
        path: `/${t.names.requests}/_bulk_docs`,
        body: { docs: [{ _id: PROBE, _rev: '1-abc' }], new_edits: false },
      },
    ],
  },
  {
    label: 'POST /requests/_purge',
    steps: (t, f) => [
      { method: 'POST', path: `/${t.names.requests}/_purge`, body: { [WORKFLOW_ID]: [f.rev] } },
    ],
  },
  {
    label: 'POST /requests/_compact',
    steps: (t) => [{ method: 'POST', path: `/${t.names.requests}/_compact` }],
  },
  {
    label: 'POST /requests/_view_cleanup',
    steps: (t) => [{ method: 'POST', path: `/${t.names.requests}/_view_cleanup` }],
  },
  {
    label: 'PUT /requests/_security',
    steps: (t) => [
      {
        method: 'PUT',
        path: `/${t.names.requests}/_security`,
        body: {
          admins: { names: [MALLORY], roles: [] },
          members: { names: [MALLORY], roles: [] },
        },
      },
    ],
  },
  {
    label: 'PUT /requests/_revs_limit',
    steps: (t) => [{ method: 'PUT', path: `/${t.names.requests}/_revs_limit`, body: 1 }],
  },
  {
    label: 'PUT /requests/_design/probe',
    steps: (t) => [
      {
        method: 'PUT',
        path: `/${t.names.requests}/_design/${PROBE}`,
        body: { views: { all: { map: 'function (doc) { emit(doc._id); }' } } },
      },
    ],
  },
  {
    label: 'DELETE /requests/_design/validate_write',
    steps: (t, f) => [
      {
        method: 'DELETE',
        path: `/${t.names.requests}/_design/validate_write?rev=${f.validatorRev}`,
      },
    ],
  },
  {
    label: 'PUT /_config/admins/mallory',
    steps: () => [{ method: 'PUT', path: `/_config/admins/${MALLORY}`, body: 'pw' }],
  },
  {
    label: 'PUT /_node/_local/_config/admins/mallory',
    steps: () => [{ method: 'PUT', path: `/_node/_local/_config/admins/${MALLORY}`, body: 'pw' }],
  },
  {
    label: 'PUT /_users/org.couchdb.user:mallory',
    steps: () => [
      {
        method: 'PUT',
        path: `/_users/org.couchdb.user:${MALLORY}`,
        body: { name: MALLORY, password: 'pw', roles: ['_admin'], type: 'user' },
      },
    ],
  },
  {
    label: 'PUT /_replicator/probe',
    steps: (t) => [
      {
        method: 'PUT',
        path: `/_replicator/${PROBE}`,
        body: {
          source: `${t.url}/${t.names.requests}`,
          target: `${t.url}/${t.newDb}`,
          create_target: true,
        },
      },
    ],
  },
  {
    label: 'POST /_session {name, password}',
    steps: () => [{ method: 'POST', path: '/_session', body: { name: MALLORY, password: 'pw' } }],
  },
  {
    label: 'GET /requests/_changes?filter=_selector',
    read: true,
    steps: (t) => [{ method: 'GET', path: `/${t.names.requests}/_changes?filter=_selector` }],
  },
  {
    label: 'POST /requests/_changes?filter=_selector',
    read: true,
    steps: (t) => [
      {
        method: 'POST',
        path: `/${t.names.requests}/_changes?filter=_selector`,
        body: { selector: { _id: { $gt: null } } },
      },
    ],
  },
  { label: 'POST /_restart', steps: () => [{ method: 'POST', path: '/_restart' }] },
];

/** Reads an anonymous visitor must keep: the two databases, and `GET /`, `/_up`. */
export function allowedReads(t: MatrixTarget): Step[] {
  const view = `/${t.names.requests}/_design/_designDoc/_view/requests`;
  return [
    { method: 'GET', path: '/' },
    { method: 'GET', path: '/_up' },
    { method: 'GET', path: `/${t.names.requests}` },
    { method: 'HEAD', path: `/${t.names.requests}/${WORKFLOW_ID}` },
    { method: 'GET', path: `/${t.names.requests}/${WORKFLOW_ID}` },
    { method: 'GET', path: `/${t.names.requests}/_all_docs?limit=5` },
    { method: 'POST', path: `/${t.names.requests}/_all_docs`, body: { keys: [WORKFLOW_ID] } },
    { method: 'GET', path: `${view}?key=%22${WORKFLOW_ID}%22` },
    { method: 'POST', path: view, body: { keys: [WORKFLOW_ID] } },
    { method: 'GET', path: `/${t.names.requests}/_changes?since=0&limit=5` },
    { method: 'GET', path: `/${t.names.settings}` },
    { method: 'GET', path: `/${t.names.settings}/all_settings` },
  ];
}

export interface Outcome {
  /** Status of each step, or `no answer` when the connection failed. */
  statuses: Array<number | 'no answer'>;
  /** Body of the first step's answer (at most 300 characters). */
  body: string;
}

export function headersOf(target: MatrixTarget, identity: Identity): Record<string, string> {
  if (identity === 'admin') return { authorization: target.adminHeader };
  if (identity === 'wrong password') {
    const user =
      target.wrongUser?.() ??
      Buffer.from(target.adminHeader.slice('Basic '.length), 'base64').toString().split(':')[0];
    return { authorization: `Basic ${Buffer.from(`${user}:not-the-password`).toString('base64')}` };
  }
  return {};
}

export async function send(
  target: MatrixTarget,
  step: Step,
  identity: Identity,
): Promise<{ status: number | 'no answer'; body: string }> {
  try {
    const response = await fetch(`${target.url}${step.path}`, {
      method: step.method,
      headers: {
        ...headersOf(target, identity),
        ...(step.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...step.headers,
      },
      body: typeof step.body === 'string' && step.headers ? step.body : JSON.stringify(step.body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.text()).slice(0, 300) };
  } catch {
    return { status: 'no answer', body: '' };
  }
}

export async function runSteps(
  target: MatrixTarget,
  request: HostileRequest,
  fixture: Fixture,
  identity: Identity,
): Promise<Outcome> {
  const statuses: Outcome['statuses'] = [];
  let body = '';
  for (const step of request.steps(target, fixture)) {
    const answer = await send(target, step, identity);
    statuses.push(answer.status);
    if (statuses.length === 1) body = answer.body;
  }
  return { statuses, body };
}

/** The server answers `GET /` (asked a few times: it may be restarting). */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}

/**
 * Everything the requests above could change, read as the admin: databases, the two
 * databases' documents, sequences, security, revision limit and validator, `_local` and
 * design probes, server admins, users and replication documents.
 */
export async function snapshot(target: MatrixTarget): Promise<Record<string, unknown>> {
  const admin = { authorization: target.adminHeader };
  const get = async (path: string): Promise<unknown> => {
    try {
      const response = await fetch(`${target.url}${path}`, {
        headers: admin,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      return response.ok ? JSON.parse(text) : response.status;
    } catch {
      return 'no answer';
    }
  };
  const dbs = await get('/_all_dbs');
  const ours = [target.names.requests, target.names.settings, target.newDb];
  const state: Record<string, unknown> = {
    databases: Array.isArray(dbs) ? dbs.filter((db) => ours.includes(db as string)) : dbs,
  };
  for (const db of [target.names.requests, target.names.settings]) {
    const info = (await get(`/${db}`)) as Record<string, unknown> | number;
    state[`${db} documents`] = typeof info === 'object' ? info.doc_count : info;
    state[`${db} deleted documents`] = typeof info === 'object' ? info.doc_del_count : info;
    state[`${db} update_seq`] = typeof info === 'object' ? String(info.update_seq) : info;
    state[`${db} _security`] = await get(`/${db}/_security`);
    state[`${db} _revs_limit`] = await get(`/${db}/_revs_limit`);
    state[`${db} _local/probe`] = await get(`/${db}/_local/${PROBE}`);
    state[`${db} validator`] = revOf(await get(`/${db}/_design/validate_write`));
    state[`${db} design docs`] = idsOf(
      await get(`/${db}/_all_docs?startkey=%22_design%2F%22&endkey=%22_design0%22`),
    );
  }
  state[`${target.names.requests}/${WORKFLOW_ID}`] = revOf(
    await get(`/${target.names.requests}/${WORKFLOW_ID}`),
  );
  const couchAdmins = await get('/_node/_local/_config/admins');
  state['server admins'] = Object.keys(
    (typeof couchAdmins === 'object' ? couchAdmins : await get('/_config/admins')) ?? {},
  ).sort();
  state['_users mallory'] = revOf(await get(`/_users/org.couchdb.user:${MALLORY}`));
  state['_replicator probe'] = revOf(await get(`/_replicator/${PROBE}`));
  return state;
}

function revOf(doc: unknown): unknown {
  return typeof doc === 'object' && doc !== null ? (doc as { _rev?: string })._rev : doc;
}

function idsOf(list: unknown): unknown {
  return typeof list === 'object' && list !== null
    ? ((list as { rows?: Array<{ id: string }> }).rows ?? []).map((row) => row.id)
    : list;
}

/** What differs between two snapshots: the names of the changed entries. */
export function changes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys({ ...before, ...after }).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

/**
 * The two databases as setup leaves them, with one workflow and the settings document;
 * anything the requests may have left (new database, probes, mallory) removed.
 */
export async function resetFixtures(target: MatrixTarget): Promise<Fixture> {
  const server = connect({ url: target.url, authHeader: target.adminHeader });
  const admin = { authorization: target.adminHeader, 'content-type': 'application/json' };
  const remove = async (path: string) => {
    const response = await fetch(`${target.url}${path}`, { headers: admin });
    if (!response.ok) return;
    const { _rev } = (await response.json()) as { _rev: string };
    await fetch(`${target.url}${path}?rev=${_rev}`, { method: 'DELETE', headers: admin });
  };
  await remove(`/_replicator/${PROBE}`);
  await remove(`/_users/org.couchdb.user:${MALLORY}`);
  for (const path of [`/_node/_local/_config/admins/${MALLORY}`, `/_config/admins/${MALLORY}`]) {
    await fetch(`${target.url}${path}`, { method: 'DELETE', headers: admin }).catch(
      () => undefined,
    );
  }
  for (const db of [target.names.requests, target.names.settings, target.newDb]) {
    await server.db.destroy(db).catch(() => undefined);
  }
  await setupDatabases(server, target.names);
  const written = await server.use(target.names.requests).insert({
    _id: WORKFLOW_ID,
    RequestName: WORKFLOW_ID,
  } as never);
  await server.use(target.names.settings).insert({ _id: 'all_settings' } as never);
  const validator = await server.use(target.names.requests).get('_design/validate_write');
  return { rev: written.rev, validatorRev: validator._rev };
}
