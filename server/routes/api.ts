/** The JSON (and markdown) endpoints: get_json, api/fetch, md, api/update and the OpenAPI document. */
import { Router, type Request, type Response } from 'express';
import { BadRequestError, errorMessage, NotFoundError } from '../../lib/errors.js';
import { scrubUrl } from '../../lib/logger.js';
import { answersJson } from '../error-boundary.js';
import { HttpError, methodNotAllowed, serviceUnavailable } from '../http-errors.js';
import { markdownTable } from '../markdown.js';
import { openApiDocument } from '../openapi.js';
import { unpackSummary } from '../packed-summary.js';
import { isReadableWorkflowName, parseFilter, parseUpdateTarget } from '../validation.js';
import type { JsonDocuments } from '../json-documents.js';
import type { WorkflowDocuments } from '../workflow-documents.js';
import type { WorkflowIndex } from '../workflow-index.js';
import { PAGE_SIZE, type WorkflowQueries } from '../workflow-query.js';
import type { WorkflowUpdates } from '../workflow-updates.js';

/** The markdown table covers this many list pages, as the original's. */
const MARKDOWN_PAGES = 5;

export interface ApiRoutesOptions {
  prefix: string;
  index: WorkflowIndex;
  queries: WorkflowQueries;
  documents: WorkflowDocuments;
  jsonDocuments: JsonDocuments;
  updates: WorkflowUpdates;
}

export function apiRoutes(options: ApiRoutesOptions): Router {
  const { index, queries, documents, jsonDocuments, updates } = options;
  const router = Router();
  const openApi = JSON.stringify(openApiDocument(options.prefix), null, 2);

  // The ETag is the document's revision: a client holding it gets 304 and no body.
  const getJson = async (req: Request, res: Response) => {
    const doc = await jsonDocuments.get(req.params.name as string);
    if (!doc) {
      res.status(404).type('json').send('{}');
      return;
    }
    const etag = `"${doc.rev}"`;
    res.type('json').set('ETag', etag);
    if (noneMatch(req.get('If-None-Match'), etag)) res.status(304).end();
    else res.status(200).send(doc.text);
  };
  router.get('/get_json/:name', answersJson, getJson);
  router.get('/api/get_json/:name', answersJson, getJson);

  router.get('/api/fetch', answersJson, async (req, res) => {
    const filter = parseFilter(req.query);
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
    if (!index.ready) throw serviceUnavailable('Stats2 is starting; try again in a few seconds', 5);
    const workflows = await queries.first(parseFilter(req.query), MARKDOWN_PAGES * PAGE_SIZE);
    res
      .type('text/plain; charset=utf-8')
      .send(markdownTable(workflows.map((w) => unpackSummary(w.name, w.packed))));
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

/**
 * Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2: `*` or a list of tags,
 * compared weakly). Express's req.fresh is not used: it answers "stale" to every request
 * with Cache-Control: no-cache, which fetch() sends with any conditional request.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
