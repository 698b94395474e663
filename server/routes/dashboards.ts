/**
 * The campaign dashboards: `/campaigns`, `/campaign/<name>` and `/dashboard` as pages, the
 * same under `api/` as JSON, and each of their tables as CSV. All answer from the
 * dashboards' snapshot (dashboard-cache.ts), built once per change of the database.
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../lib/errors.js';
import {
  campaignAnswer,
  campaignsAnswer,
  dashboardAnswer,
  type CampaignAnswer,
  type DashboardAnswer,
  TABLE_COLUMNS,
} from '../dashboard-answers.js';
import type { DashboardCache } from '../dashboard-cache.js';
import {
  parseCampaignName,
  parseCampaignQuery,
  parseCampaignsQuery,
  parseDashboardQuery,
} from '../dashboard-query.js';
import type { DashboardSnapshot } from '../dashboard-snapshot.js';
import { toCsv } from '../csv.js';
import { answersJson } from '../error-boundary.js';
import { serviceUnavailable } from '../http-errors.js';
import { campaignPage } from '../pages/campaign-page.js';
import { campaignsPage } from '../pages/campaigns-page.js';
import type { PagePart } from '../pages/compiled-html.js';
import type { PageContext } from '../pages/context.js';
import { dashboardPage } from '../pages/dashboard-page.js';
import type { PageSender } from '../send-page.js';
import type { WorkflowIndex } from '../workflow-index.js';

export interface DashboardRoutesOptions {
  index: WorkflowIndex;
  dashboards: DashboardCache;
  pages: PageSender;
  pageContext(): Promise<PageContext>;
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
  const { index, dashboards, pages } = options;
  const router = Router();
  const now = () => Math.floor(Date.now() / 1000);

  const snapshot = async (): Promise<DashboardSnapshot> => {
    if (!index.ready) {
      throw serviceUnavailable(
        `Stats2 is starting: ${index.size.toLocaleString('en-US')} workflows read so far; the dashboards work once all are`,
        5,
      );
    }
    return dashboards.snapshot();
  };
  /** The campaign a request asks for, checked before any waiting for the snapshot. */
  const campaign = async (req: Request) => {
    const name = parseCampaignName(req.params.name as string);
    const { window } = parseCampaignQuery(req.query);
    const data = await snapshot();
    const answer = campaignAnswer(data, name, window, now());
    if (!answer) throw new NotFoundError('there is no campaign with this name');
    return { answer, data };
  };
  const sendPage = (req: Request, res: Response, parts: PagePart[], data: DashboardSnapshot) =>
    pages.send(req, res, parts, `dashboards ${data.indexVersion} ${index.size}`);

  router.get('/campaigns', async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    const data = await snapshot();
    await sendPage(
      req,
      res,
      campaignsPage(await options.pageContext(), campaignsAnswer(data, query, now())),
      data,
    );
  });
  router.get('/campaign/:name', async (req, res) => {
    const { answer, data } = await campaign(req);
    await sendPage(req, res, campaignPage(await options.pageContext(), answer), data);
  });
  router.get('/dashboard', async (req, res) => {
    const query = parseDashboardQuery(req.query);
    const data = await snapshot();
    await sendPage(
      req,
      res,
      dashboardPage(await options.pageContext(), dashboardAnswer(data, query, now())),
      data,
    );
  });

  router.get('/api/campaigns', answersJson, async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    res.json(campaignsAnswer(await snapshot(), query, now()));
  });
  router.get('/api/campaigns.csv', answersJson, async (req, res) => {
    const query = parseCampaignsQuery(req.query);
    const answer = campaignsAnswer(await snapshot(), query, now());
    sendCsv(res, `campaigns-${query.window}`, TABLE_COLUMNS.campaigns, answer.campaigns);
  });
  router.get('/api/campaign/:name', answersJson, async (req, res) => {
    res.json((await campaign(req)).answer);
  });
  router.get('/api/campaign/:name/:table.csv', answersJson, async (req, res) => {
    const table = CAMPAIGN_TABLES[req.params.table as string];
    if (!table)
      throw new NotFoundError(`a campaign's tables are ${Object.keys(CAMPAIGN_TABLES).join(', ')}`);
    const { answer } = await campaign(req);
    sendCsv(
      res,
      `campaign-${answer.campaign}-${req.params.table}-${answer.window.name}`,
      table.columns,
      table.rows(answer),
    );
  });
  router.get('/api/dashboard', answersJson, async (req, res) => {
    const query = parseDashboardQuery(req.query);
    res.json(dashboardAnswer(await snapshot(), query, now()));
  });
  router.get('/api/dashboard/:table.csv', answersJson, async (req, res) => {
    const table = DASHBOARD_TABLES[req.params.table as string];
    if (!table)
      throw new NotFoundError(
        `the dashboard's tables are ${Object.keys(DASHBOARD_TABLES).join(', ')}`,
      );
    const query = parseDashboardQuery(req.query);
    const answer = dashboardAnswer(await snapshot(), query, now());
    sendCsv(
      res,
      `dashboard-${req.params.table}-${query.window}`,
      table.columns,
      table.rows(answer),
    );
  });

  return router;
}

/** A table as a CSV download, named after what it holds. */
function sendCsv(
  res: Response,
  name: string,
  columns: readonly string[],
  rows: readonly object[],
): void {
  const filename = `${name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150)}.csv`;
  res
    .type('text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .send(toCsv(columns, rows));
}
