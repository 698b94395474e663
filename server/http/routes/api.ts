/** The JSON (and markdown) endpoints: get_json, api/fetch, api/search, md, api/update and the OpenAPI document. */
import { Router, type Request, type Response } from 'express';
import { BadRequestError, errorMessage, NotFoundError } from '../../../lib/errors.js';
import { scrubUrl } from '../../../lib/logger.js';
import { answersJson } from '../error-boundary.js';
import { HttpError, methodNotAllowed, serviceUnavailable } from '../http-errors.js';
import { markdownTable } from '../../render/markdown.js';
import { openApiDocument } from '../openapi.js';
import { parseFetchFilter, parseFilter, parseSearch, parseUpdateTarget } from '../validation.js';
import { isReadableWorkflowName } from '../../read-model/workflow-names.js';
import type { WorkflowDocuments } from '../../read-model/workflow-documents.js';
import type { WorkflowIndex } from '../../read-model/workflow-index.js';
import { PAGE_SIZE, type WorkflowQueries } from '../../read-model/workflow-query.js';
import { SEARCH_LIMIT, type WorkflowSearch } from '../../read-model/workflow-search.js';
import type { WorkflowUpdates } from '../workflow-updates.js';

/** The markdown table covers this many list pages, as the original's. */
const MARKDOWN_PAGES = 5;

export interface ApiRoutesOptions {
  prefix: string;
  index: WorkflowIndex;
  queries: WorkflowQueries;
  search: WorkflowSearch;
  documents: WorkflowDocuments;
  updates: WorkflowUpdates;
}

export function apiRoutes(options: ApiRoutesOptions): Router {
  const { index, queries, documents, updates } = options;
  const router = Router();
  const openApi = JSON.stringify(openApiDocument(options.prefix), null, 2);
  const requireIndex = () => {
    if (!index.serving)
      throw serviceUnavailable('Stats2 is starting; try again in a few seconds', 5);
  };

  // The ETag is the document's revision: a client that has it gets 304, and when the
  // index knows that revision is still current, without reading CouchDB at all.
  const getJson = async (req: Request, res: Response) => {
    const name = req.params.name as string;
    const known = documents.knownRevision(name);
    if (known !== undefined && matchesEtag(req, known)) {
      res
        .status(304)
        .set({ ETag: etag(known), 'Cache-Control': 'no-cache' })
        .end();
      return;
    }
    const json = await documents.json(name);
    if (!json) {
      res.status(404).type('json').send('{}');
      return;
    }
    if (json.revision !== undefined) {
      res.set({ ETag: etag(json.revision), 'Cache-Control': 'no-cache' });
      if (matchesEtag(req, json.revision)) {
        res.status(304).end();
        return;
      }
    }
    res.status(200).type('json').send(json.body);
  };
  router.get('/get_json/:name', answersJson, getJson);
  router.get('/api/get_json/:name', answersJson, getJson);

  router.get('/api/fetch', answersJson, async (req, res) => {
    const filter = parseFetchFilter(req.query);
    if (filter.name !== 'workflow_name') requireIndex();
    const batches = documents.matching(filter);
    // The first batch is read before answering, so that a failing query still gets a proper error.
    let next = await batches.next();
    res.type('json');
    let closed = false;
    res.once('close', () => (closed = true));
    let separator = '[';
    while (!next.done && !closed) {
      let chunk = '';
      for (const doc of next.value) {
        chunk += separator + JSON.stringify(doc);
        separator = ',';
      }
      if (!res.write(chunk)) await drainedOrClosed(res);
      next = await batches.next();
    }
    if (closed) {
      await batches.return(undefined);
      return;
    }
    res.end(separator === '[' ? '[]' : ']');
  });

  router.get('/md', answersJson, async (req, res) => {
    requireIndex();
    const workflows = queries.first(parseFilter(req.query), MARKDOWN_PAGES * PAGE_SIZE);
    res.type('text/plain; charset=utf-8').send(markdownTable(workflows.map((w) => w.summary())));
  });

  router.get('/api/search', answersJson, (req, res) => {
    requireIndex();
    const { q, limit } = parseSearch(req.query, SEARCH_LIMIT);
    if (q === '') throw new BadRequestError('give what to search for as ?q=…');
    const result = options.search.search(q, limit);
    res.json({
      query: q,
      exact: result.exact ?? null,
      count: result.count,
      countIsLowerBound: result.countIsLowerBound,
      workflows: result.workflows.map((w) => w.name),
    });
  });

  router.get('/api/openapi.json', answersJson, (_req, res) => {
    res.type('json').send(openApi);
  });

  router.all('/api/update', answersJson, async (req, res) => {
    if (!updates.enabled) throw new NotFoundError('updates are off on this server');
    if (req.method !== 'POST') throw methodNotAllowed('POST');
    updates.admit(req.ip ?? 'unknown', req.get('authorization'));
    const name = parseUpdateTarget(req.query);
    if (name === undefined)
      throw new BadRequestError('give the workflow to update as ?workflow_name=<RequestName>');
    if (!isReadableWorkflowName(name))
      throw new BadRequestError('workflow_name is not a RequestName');
    let outcome;
    try {
      outcome = await updates.update(name);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(
        500,
        'UPDATE_FAILED',
        `updating ${name} failed: ${scrubUrl(errorMessage(err))}`,
      );
    }
    res.json({ ...outcome, workflow_name: name, changed: outcome.changed === true });
  });

  return router;
}

function etag(revision: string): string {
  return `"${revision}"`;
}

/** If-None-Match names this revision (or is `*`). */
function matchesEtag(req: Request, revision: string): boolean {
  const header = req.get('if-none-match');
  if (header === undefined) return false;
  const wanted = etag(revision);
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === wanted || tag === '*');
}

/** Resolves when the client can take more, or is gone (the listeners go either way). */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
