/**
 * The campaign dashboards: `/campaigns`, `/campaign/<name>` and `/dashboard` as pages, the
 * same under `api/` as JSON, and each of their tables as CSV. All answer from the
 * dashboards' snapshot (dashboard-cache.ts), built once per change of the database.
 */
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Clock } from '../../../lib/clock.js';
import { NotFoundError } from '../../../lib/errors.js';
import {
  campaignAnswer,
  campaignsAnswer,
  dashboardAnswer,
  type CampaignAnswer,
  type DashboardAnswer,
  TABLE_COLUMNS,
} from '../../read-model/dashboard-answers.js';
import type { DashboardCache } from '../dashboard-cache.js';
import {
  parseCampaignName,
  parseCampaignQuery,
  parseCampaignsQuery,
  parseDashboardQuery,
} from '../dashboard-query.js';
import type { DashboardSnapshot } from '../../read-model/dashboard-snapshot.js';
import { toCsv } from '../csv.js';
import { answersJson } from '../error-boundary.js';
import { serviceUnavailable } from '../http-errors.js';
import { campaignPage } from '../../render/pages/campaign-page.js';
import { campaignsPage } from '../../render/pages/campaigns-page.js';
import type { PagePart } from '../../render/pages/compiled-html.js';
import { SafeHtml } from '../../render/html.js';
import { answerTime, type DashboardAnswerCache } from '../../read-model/dashboard-answer-cache.js';
import type { WindowName } from '../../read-model/dashboard-window.js';
import type { PageContext } from '../../render/pages/context.js';
import { dashboardPage } from '../../render/pages/dashboard-page.js';
import type { PageSender } from '../send-page.js';
import type { WorkflowIndex } from '../../read-model/workflow-index.js';

export interface DashboardRoutesOptions {
  index: WorkflowIndex;
  dashboards: DashboardCache;
  answers: DashboardAnswerCache;
  pages: PageSender;
  pageContext(): Promise<PageContext>;
  /** The website's clock: today's windows and the stuck days count from it. */
  clock: Clock;
}

interface Table<A> {
  columns: readonly string[];
  rows: (answer: A) => readonly object[];
}

/** The CSV tables of a campaign page and of the dashboard, by the name in their URL. */
const CAMPAIGN_TABLES: Record<string, Table<CampaignAnswer>> = {
  production: { columns: TABLE_COLUMNS.production, rows: (answer) => answer.production },
  status: { columns: TABLE_COLUMNS.status, rows: (answer) => answer.status_groups },
  pwg: { columns: TABLE_COLUMNS.campaignPwgs, rows: (answer) => answer.pwgs },
  tiers: { columns: TABLE_COLUMNS.tiers, rows: (answer) => answer.tiers },
};
const DASHBOARD_TABLES: Record<string, Table<DashboardAnswer>> = {
  production: { columns: TABLE_COLUMNS.production, rows: (answer) => answer.production },
  campaigns: { columns: TABLE_COLUMNS.mostActive, rows: (answer) => answer.most_active },
  stuck: { columns: TABLE_COLUMNS.stuck, rows: (answer) => answer.stuck.workflows },
  pwg: { columns: TABLE_COLUMNS.dashboardPwgs, rows: (answer) => answer.pwgs },
};

export function dashboardRoutes(options: DashboardRoutesOptions): Router {
  const { index, dashboards, answers, pages } = options;
  const router = Router();

  const snapshot = async (): Promise<DashboardSnapshot> => {
    if (!index.ready) {
      throw serviceUnavailable(
        `Stats2 is starting: ${index.size.toLocaleString('en-US')} workflows read so far; the dashboards work once all are`,
        5,
      );
    }
    return dashboards.snapshot();
  };
  /** The snapshot and the time (the start of this minute) the answers of one request are made for. */
  const current = async () => ({ data: await snapshot(), at: answerTime(options.clock()) });
  const campaignOf = (data: DashboardSnapshot, name: string, window: WindowName, at: number) => {
    const answer = campaignAnswer(data, name, window, at);
    if (!answer) throw new NotFoundError('there is no campaign with this name');
    return answer;
  };
  /** A page's parts made once a minute per URL and header; rendered and compressed once a second by the sender. */
  const sendPage = async (
    req: Request,
    res: Response,
    make: (context: PageContext, data: DashboardSnapshot, at: number) => PagePart[],
  ) => {
    const { data, at } = await current();
    const context = await options.pageContext();
    const header = `${context.totalWorkflows} ${context.lastUpdateRun} ${context.lastRun?.finishedAt}`;
    const parts = answers.answer(`page ${req.originalUrl} ${header}`, data, at, () =>
      make(context, data, at),
    );
    await pages.send(req, res, parts, `dashboards ${data.indexVersion} ${header}`);
  };
  /** JSON (or CSV) made once a minute per URL, and gzip-compressed once for clients that accept it. */
  const sendText = async (
    req: Request,
    res: Response,
    type: string,
    make: (data: DashboardSnapshot, at: number) => string,
  ) => {
    const { data, at } = await current();
    const body = answers.answer(req.originalUrl, data, at, () =>
      Buffer.from(make(data, at), 'utf8'),
    );
    res.type(type).set('Vary', 'Accept-Encoding');
    if (req.headers['accept-encoding'] !== undefined && req.acceptsEncodings('gzip') === 'gzip') {
      const compressed = answers.answer(`gzip ${req.originalUrl}`, data, at, () => gzipSync(body));
      res.set('Content-Encoding', 'gzip').send(compressed);
      return;
    }
    res.send(body);
  };

  router.get('/campaigns', async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    await sendPage(req, res, (context, data, at) =>
      campaignsPage(context, campaignsAnswer(data, query, at)),
    );
  });
  router.get('/campaign/:name', async (req, res) => {
    const name = parseCampaignName(req.params.name as string);
    const { window } = parseCampaignQuery(req.query);
    await sendPage(req, res, (context, data, at) =>
      campaignPage(context, campaignOf(data, name, window, at)),
    );
  });
  router.get('/dashboard', async (req, res) => {
    const query = parseDashboardQuery(req.query);
    await sendPage(req, res, (context, data, at) =>
      dashboardPage(context, dashboardAnswer(data, query, at)),
    );
  });

  router.get('/api/campaigns', answersJson, async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    await sendText(req, res, 'json', (data, at) =>
      JSON.stringify(campaignsAnswer(data, query, at)),
    );
  });
  router.get('/api/campaigns.csv', answersJson, async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    attachment(res, `campaigns-${query.window}`);
    await sendText(req, res, CSV, (data, at) =>
      toCsv(TABLE_COLUMNS.campaigns, campaignsAnswer(data, query, at).campaigns),
    );
  });
  router.get('/api/campaign/:name', answersJson, async (req, res) => {
    const name = parseCampaignName(req.params.name as string);
    const { window } = parseCampaignQuery(req.query);
    await sendText(req, res, 'json', (data, at) =>
      JSON.stringify(campaignOf(data, name, window, at)),
    );
  });
  router.get('/api/campaign/:name/:table.csv', answersJson, async (req, res) => {
    const table = CAMPAIGN_TABLES[req.params.table as string];
    if (!table)
      throw new NotFoundError(`a campaign's tables are ${Object.keys(CAMPAIGN_TABLES).join(', ')}`);
    const name = parseCampaignName(req.params.name as string);
    const { window } = parseCampaignQuery(req.query);
    attachment(res, `campaign-${name}-${req.params.table}-${window}`);
    await sendText(req, res, CSV, (data, at) =>
      toCsv(table.columns, table.rows(campaignOf(data, name, window, at))),
    );
  });
  router.get('/api/dashboard', answersJson, async (req, res) => {
    const query = parseDashboardQuery(req.query);
    await sendText(req, res, 'json', (data, at) =>
      JSON.stringify(dashboardAnswer(data, query, at)),
    );
  });
  router.get('/api/dashboard/:table.csv', answersJson, async (req, res) => {
    const table = DASHBOARD_TABLES[req.params.table as string];
    if (!table)
      throw new NotFoundError(
        `the dashboard's tables are ${Object.keys(DASHBOARD_TABLES).join(', ')}`,
      );
    const query = parseDashboardQuery(req.query);
    attachment(res, `dashboard-${req.params.table}-${query.window}`);
    await sendText(req, res, CSV, (data, at) =>
      toCsv(table.columns, table.rows(dashboardAnswer(data, query, at))),
    );
  });

  return router;
}

const CSV = 'text/csv; charset=utf-8';

/** A download named after what it holds. */
function attachment(res: Response, name: string): void {
  const filename = `${name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150)}.csv`;
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
}

/** What a kept dashboard answer weighs: its bytes (JSON, CSV, gzip) or its page parts' characters. */
export function weighDashboardAnswer(value: unknown): number {
  if (Buffer.isBuffer(value)) return value.length;
  if (Array.isArray(value)) {
    let total = 0;
    for (const part of value as PagePart[])
      total += part instanceof SafeHtml ? part.value.length : part.bytes;
    return total;
  }
  return 1;
}
