/**
 * ReqMgr2 on cmsweb: the CouchDB `_changes` feed and request documents of
 * `reqmgr_workload_cache` (docs/upstreams.md#reqmgr2-changes-feed,
 * docs/upstreams.md#reqmgr2-request-documents), and the REST look-up by PrepID
 * (docs/upstreams.md#reqmgr2-rest-look-up-by-prepid).
 */
import { z } from 'zod';
import { MalformedSinceError, UpstreamNotFoundError } from './errors.js';
import { callTarget, httpError, schemaError, type UpstreamTarget } from './http.js';
import { validate } from './validate.js';

const DATABASE = '/couchdb/reqmgr_workload_cache';

export interface ReqMgrChangeRow {
  /** Opaque sequence string (numbers from CouchDB 1.x are turned into strings). */
  seq: string;
  id: string;
  /** Present (true) only for deletions. */
  deleted?: true;
}

export interface ReqMgrChangesPage {
  results: ReqMgrChangeRow[];
  last_seq: string;
  pending?: number;
}

/** A raw ReqMgr2 request document; its interpretation belongs to the updater. */
export type RawReqMgrDocument = Record<string, unknown> & { RequestName: string };

const sequence = z.union([z.string(), z.number()]).transform(String);

const changesSchema = z.object({
  results: z.array(z.object({ seq: sequence, id: z.string(), deleted: z.boolean().optional() })),
  last_seq: sequence,
  pending: z.number().int().nonnegative().optional(),
});

const couchErrorSchema = z.object({ error: z.string(), reason: z.string().optional() });

const documentSchema = z.looseObject({ RequestName: z.string().min(1) });

const requestEnvelopeSchema = z.object({
  result: z.array(z.record(z.string(), z.record(z.string(), z.unknown()))),
});

export class ReqMgrClient {
  constructor(private readonly target: UpstreamTarget) {}

  /** Changes after `since` (0, a stored last_seq, or `now`), at most `limit` rows. */
  async changes(since: string | number, limit: number): Promise<ReqMgrChangesPage> {
    const endpoint = 'reqmgr.changes';
    const query = new URLSearchParams({ since: String(since), limit: String(limit) });
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: `${DATABASE}/_changes`,
      query,
      idempotent: true,
      acceptStatuses: [400],
    });
    if (answer.status === 400) {
      const error = couchErrorSchema.safeParse(answer.body);
      if (
        error.success &&
        error.data.error === 'bad_request' &&
        /malformed sequence/i.test(error.data.reason ?? '')
      ) {
        throw new MalformedSinceError(endpoint, String(since));
      }
      throw httpError(endpoint, 400, JSON.stringify(answer.body));
    }
    const page = validate(endpoint, changesSchema, answer.body);
    return {
      results: page.results.map(({ seq, id, deleted }) =>
        deleted === true ? { seq, id, deleted: true } : { seq, id },
      ),
      last_seq: page.last_seq,
      ...(page.pending === undefined ? {} : { pending: page.pending }),
    };
  }

  /** The raw document of one request; `UpstreamNotFoundError` when missing or deleted. */
  async request(name: string): Promise<RawReqMgrDocument> {
    const endpoint = 'reqmgr.request';
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: `${DATABASE}/${encodeURIComponent(name)}`,
      idempotent: true,
      acceptStatuses: [404],
    });
    if (answer.status === 404) {
      const error = validate(endpoint, couchErrorSchema, answer.body);
      throw new UpstreamNotFoundError(endpoint, name, error.reason ?? error.error);
    }
    const doc = validate(endpoint, documentSchema, answer.body);
    if (doc.RequestName !== name) {
      throw schemaError(endpoint, `asked for ${name}, got the document of ${doc.RequestName}`, {
        RequestName: doc.RequestName,
      });
    }
    return doc;
  }

  /** `{name: {mask: value}}` of every request with this PrepID (ReqMgr2 REST, default envelope). */
  async requestsByPrepId(
    prepId: string,
    masks: readonly string[],
  ): Promise<Record<string, Record<string, unknown>>> {
    const endpoint = 'reqmgr.requestsByPrepId';
    const query = new URLSearchParams([
      ['prep_id', prepId],
      ...masks.map((mask): [string, string] => ['mask', mask]),
    ]);
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: '/reqmgr2/data/request',
      query,
      idempotent: true,
    });
    const envelope = validate(endpoint, requestEnvelopeSchema, answer.body);
    return Object.assign({}, ...envelope.result) as Record<string, Record<string, unknown>>;
  }
}
