/** The HTML pages: the list (with filters and paging), search, and one workflow with its charts. */
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../../lib/errors.js';
import { pluralNoun } from '../../../lib/plural.js';
import { filterQuery } from '../../render/links.js';
import { serviceUnavailable } from '../http-errors.js';
import type { WorkflowBlocks } from '../../render/pages/block-cache.js';
import type { PageContext } from '../../render/pages/context.js';
import type { PageSender } from '../send-page.js';
import { listPage } from '../../render/pages/list-page.js';
import type { CompiledHtml } from '../../render/pages/compiled-html.js';
import { searchPage, searchResults } from '../../render/pages/search-page.js';
import { LruCache } from '../../read-model/lru-cache.js';
import { workflowPage } from '../../render/pages/workflow-page.js';
import { parseFilter, parsePage, parseSearch } from '../validation.js';
import type { WorkflowDocuments } from '../../read-model/workflow-documents.js';
import type { WorkflowIndex } from '../../read-model/workflow-index.js';
import { PAGE_SIZE, type WorkflowQueries } from '../../read-model/workflow-query.js';
import { SEARCH_LIMIT, searchHits, type WorkflowSearch } from '../../read-model/workflow-search.js';
import { summarizeWorkflow } from '../../read-model/workflow-summary.js';

export interface PageRoutesOptions {
  prefix: string;
  index: WorkflowIndex;
  queries: WorkflowQueries;
  search: WorkflowSearch;
  documents: WorkflowDocuments;
  blocks: WorkflowBlocks;
  pages: PageSender;
  pageContext(search?: string): Promise<PageContext>;
}

export function pageRoutes(options: PageRoutesOptions): Router {
  const { prefix, index, queries, documents, blocks, pages } = options;
  const router = Router();

  /** Pages need the index's content: a snapshot (still catching up) will do. */
  const requireIndex = () => {
    if (!index.serving) {
      throw serviceUnavailable(
        `Stats2 is starting: ${index.size.toLocaleString('en-US')} ${pluralNoun(index.size, 'workflow')} read so far; this page works once all are`,
        5,
      );
    }
  };

  const list = async (req: Request, res: Response, page: number) => {
    requireIndex();
    const filter = parseFilter(req.query);
    const result = queries.page(filter, page);
    if (page > 0 && result.workflows.length === 0) throw pastTheEnd(result.total);
    const context = await options.pageContext(filter?.value);
    await pages.send(
      req,
      res,
      listPage(
        context,
        filter,
        result,
        PAGE_SIZE,
        result.workflows.map((workflow) => blocks.block(workflow)),
      ),
      `${index.version} ${contextVersion(context)}`,
    );
  };

  router.get('/', (req, res) => list(req, res, 0));

  // What a query answers (a redirect, or compiled results) is kept per version of the
  // index: a popular search costs a look-up, not a search and a rendering.
  const searches = new LruCache<
    string,
    { version: number; redirect?: string; results?: CompiledHtml }
  >(512, () => 1);
  router.get('/search', async (req, res) => {
    requireIndex();
    const { q, limit } = parseSearch(req.query, SEARCH_LIMIT);
    if (q === '') return res.redirect(302, `${prefix}/`);
    const key = `${limit} ${q}`;
    let answer = searches.get(key);
    if (answer?.version !== index.version) {
      const version = index.version;
      const result = options.search.search(q, limit);
      answer = result.exact
        ? { version, redirect: `${prefix}/${filterQuery(result.exact)}` }
        : { version, results: searchResults(prefix, { ...result, hits: searchHits(result) }) };
      searches.set(key, answer);
    }
    if (answer.redirect !== undefined) return res.redirect(302, answer.redirect);
    const context = await options.pageContext(q);
    await pages.send(
      req,
      res,
      searchPage(context, q, answer.results as CompiledHtml),
      `${answer.version} ${contextVersion(context)}`,
    );
  });

  router.get('/workflow/:name', async (req, res) => {
    const doc = await documents.get(req.params.name);
    const summary = doc && summarizeWorkflow(doc);
    if (!doc || !summary) throw new NotFoundError('there is no workflow with this name');
    const context = await options.pageContext();
    await pages.send(
      req,
      res,
      workflowPage(context, summary, doc.EventNumberHistory),
      `${String(doc._rev)} ${contextVersion(context)}`,
    );
  });

  router.get('/:page', (req, res, next) => {
    // Anything but a (possibly negative) number is not a page: let the 404 answer it.
    if (!/^-?\d+$/.test(req.params.page)) return next();
    return list(req, res, parsePage(req.params.page));
  });

  return router;
}

/** A page number past the last page: 404, saying how many pages there are. */
function pastTheEnd(total: number): NotFoundError {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return new NotFoundError(
    `this page is past the end: there ${pages === 1 ? 'is 1 page' : `are ${pages.toLocaleString('en-US')} pages`} (numbered from 0)`,
  );
}

/** What of the page header can change while the URL and the workflows stay the same. */
function contextVersion(context: PageContext): string {
  return `${context.totalWorkflows} ${context.lastUpdateRun} ${context.lastRun?.finishedAt} ${context.stale?.since ?? context.stale !== undefined}`;
}
