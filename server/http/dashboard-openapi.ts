/** The campaign dashboards' part of the OpenAPI document (openapi.ts merges it in). */
import {
  CAMPAIGN_SORTS,
  GROUP_FIELDS,
  MOST_ACTIVE,
  RATE_DAYS,
  STUCK_DAYS_DEFAULT,
  STUCK_DAYS_MAX,
} from '../read-model/dashboard-answers.js';
import { STUCK_LISTED } from '../read-model/dashboard-snapshot.js';
import { WINDOW_NAMES } from '../read-model/dashboard-window.js';
import { MAX_VALUE_LENGTH } from '../read-model/workflow-names.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const csv = (description: string) => ({
  description,
  content: { 'text/csv': { schema: { type: 'string' } } },
});
const error = (description: string) => ({ description, content: json(ref('Error')) });
const integer = { type: 'integer' };
const nullableString = { type: ['string', 'null'] };
const count = (description: string) => ({ type: 'integer', description });

const windowParameter = (fallback: string) => ({
  name: 'window',
  in: 'query',
  required: false,
  description: `The time window: the last 30 or 120 days (per day), the last year or all time (per month). Default ${fallback}.`,
  schema: { type: 'string', enum: WINDOW_NAMES },
});
const campaignParameter = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'The campaign',
  schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
};
const campaignsParameters = [
  windowParameter('30d'),
  {
    name: 'sort',
    in: 'query',
    required: false,
    description: 'The column to sort by (default window_events)',
    schema: { type: 'string', enum: CAMPAIGN_SORTS },
  },
  {
    name: 'order',
    in: 'query',
    required: false,
    description: 'asc or desc (default desc; asc when sorting by campaign)',
    schema: { type: 'string', enum: ['asc', 'desc'] },
  },
  {
    name: 'q',
    in: 'query',
    required: false,
    description: 'Only campaigns whose name contains this text (case-insensitive)',
    schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
  },
];
const dashboardParameters = [
  windowParameter('30d'),
  {
    name: 'stuck_days',
    in: 'query',
    required: false,
    description: `Stuck: running workflows that produced nothing for at least this many days (default ${STUCK_DAYS_DEFAULT})`,
    schema: { type: 'integer', minimum: 1, maximum: STUCK_DAYS_MAX },
  },
];
const table = (names: string[]) => ({
  name: 'table',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: names },
});
const COMPUTING = error(
  'Stats2 is starting, or the dashboards are being computed (see Retry-After)',
);

export function dashboardPaths(prefix: string): Record<string, object> {
  return {
    [`${prefix}/api/campaigns`]: {
      get: {
        operationId: 'campaigns',
        summary:
          'Every campaign: workflows by status group, expected and produced events, completion, events in the window',
        parameters: campaignsParameters,
        responses: {
          200: { description: 'The campaigns', content: json(ref('CampaignsAnswer')) },
          400: error('A parameter is malformed or not one of its values'),
          503: COMPUTING,
        },
      },
    },
    [`${prefix}/api/campaigns.csv`]: {
      get: {
        operationId: 'campaignsCsv',
        summary: 'The campaigns table as CSV: the fields of CampaignRow, one line per campaign',
        parameters: campaignsParameters,
        responses: {
          200: csv('The table'),
          400: error('A parameter is malformed'),
          503: COMPUTING,
        },
      },
    },
    [`${prefix}/api/campaign/{name}`]: {
      get: {
        operationId: 'campaign',
        summary: 'One campaign: production per day or month, breakdowns, projected completion',
        parameters: [campaignParameter, windowParameter('120d')],
        responses: {
          200: { description: 'The campaign', content: json(ref('CampaignAnswer')) },
          400: error('A parameter is malformed'),
          404: error('No workflow has this campaign'),
          503: COMPUTING,
        },
      },
    },
    [`${prefix}/api/campaign/{name}/{table}.csv`]: {
      get: {
        operationId: 'campaignCsv',
        summary: "One of a campaign's tables as CSV: production, status (groups), pwg, tiers",
        parameters: [
          campaignParameter,
          table(['production', 'status', 'pwg', 'tiers']),
          windowParameter('120d'),
        ],
        responses: {
          200: csv('The table, with the fields of the JSON rows as header'),
          400: error('A parameter is malformed'),
          404: error('No such campaign or table'),
          503: COMPUTING,
        },
      },
    },
    [`${prefix}/api/dashboard`]: {
      get: {
        operationId: 'dashboard',
        summary:
          'Production across all campaigns, the most active campaigns, stuck workflows, PWGs',
        parameters: dashboardParameters,
        responses: {
          200: { description: 'The dashboard', content: json(ref('DashboardAnswer')) },
          400: error('A parameter is malformed'),
          503: COMPUTING,
        },
      },
    },
    [`${prefix}/api/dashboard/{table}.csv`]: {
      get: {
        operationId: 'dashboardCsv',
        summary:
          "One of the dashboard's tables as CSV: production, campaigns (most active), stuck, pwg",
        parameters: [table(['production', 'campaigns', 'stuck', 'pwg']), ...dashboardParameters],
        responses: {
          200: csv(
            'The table, with the fields of the JSON rows as header; lists are space-separated',
          ),
          400: error('A parameter is malformed'),
          404: error('No such table'),
          503: COMPUTING,
        },
      },
    },
  };
}

const totals = {
  workflows: integer,
  expected_events: count('Sum of the known TotalEvents'),
  unknown_expected: count('Workflows whose TotalEvents is unknown (−1 or missing)'),
  produced_events: count("Events of the workflows' final outputs (0 for INVALID or DELETED ones)"),
  completion_percent: {
    type: ['number', 'null'],
    description:
      'Produced ÷ expected over the workflows with known expected events; null when none has',
  },
};

export function dashboardSchemas(): Record<string, object> {
  return {
    Window: {
      type: 'object',
      properties: {
        name: { type: 'string', enum: WINDOW_NAMES },
        label: { type: 'string' },
        from: { ...nullableString, description: 'First UTC day; null for all time' },
        to: { type: 'string', description: 'Today (UTC)' },
        granularity: { type: 'string', enum: ['day', 'month'] },
      },
    },
    AsOf: {
      type: 'object',
      description:
        'The snapshot the answer comes from, taken again after each change of the database',
      properties: {
        computed_at: { type: 'string', format: 'date-time' },
        update_seq: {
          type: ['string', 'integer'],
          description: "The requests database's update sequence it reflects",
        },
      },
    },
    ProductionRow: {
      type: 'object',
      properties: {
        period: { type: 'string', description: '2025-01-31 (day) or 2025-01 (month), UTC' },
        events: {
          type: 'integer',
          description:
            'Change of the produced events in the period (negative when outputs were invalidated)',
        },
        cumulative_events: {
          type: 'integer',
          description: 'Produced events at the end of the period',
        },
      },
    },
    CampaignRow: {
      type: 'object',
      properties: {
        campaign: { type: 'string' },
        ...Object.fromEntries(
          GROUP_FIELDS.map((field) => [field, count(`Workflows in the status group ${field}`)]),
        ),
        ...totals,
        window_events: count('Events produced in the window'),
        last_activity: {
          ...nullableString,
          description: 'Last UTC day the produced events changed',
        },
      },
    },
    CampaignsAnswer: {
      type: 'object',
      properties: {
        window: ref('Window'),
        as_of: ref('AsOf'),
        q: { type: 'string' },
        sort: { type: 'string', enum: CAMPAIGN_SORTS },
        order: { type: 'string', enum: ['asc', 'desc'] },
        status_groups: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              field: { type: 'string' },
              label: { type: 'string' },
              statuses: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        campaigns: { type: 'array', items: ref('CampaignRow') },
      },
    },
    Totals: { type: 'object', properties: totals },
    CampaignAnswer: {
      type: 'object',
      properties: {
        campaign: { type: 'string' },
        window: ref('Window'),
        as_of: ref('AsOf'),
        summary: ref('CampaignRow'),
        production: { type: 'array', items: ref('ProductionRow') },
        status_groups: {
          type: 'array',
          items: { type: 'object', properties: { group: { type: 'string' }, workflows: integer } },
        },
        pwgs: {
          type: 'array',
          items: {
            allOf: [{ type: 'object', properties: { pwg: nullableString } }, ref('Totals')],
          },
        },
        tiers: {
          type: 'array',
          items: {
            allOf: [{ type: 'object', properties: { tier: nullableString } }, ref('Totals')],
          },
        },
        projection: {
          type: 'object',
          properties: {
            rate_days: { type: 'integer', const: RATE_DAYS },
            recent_events: count(`Events produced in the last ${RATE_DAYS} days, today included`),
            events_per_day: { type: 'number' },
            remaining_events: count(
              'Σ max(0, expected − produced) over workflows with known expected events, aborted/rejected/failed ones left out',
            ),
            completion_date: {
              ...nullableString,
              description: 'Only when events remain and the recent rate is positive',
            },
            explanation: { type: 'string' },
          },
        },
      },
    },
    StuckRow: {
      type: 'object',
      properties: {
        workflow: { type: 'string' },
        status: nullableString,
        campaigns: { type: 'array', items: { type: 'string' } },
        pwg: nullableString,
        quiet_since: { ...nullableString, format: 'date-time' },
        quiet_days: integer,
        running_since: { ...nullableString, format: 'date-time' },
        last_growth: { ...nullableString, format: 'date-time' },
        produced_events: integer,
        expected_events: { type: ['integer', 'null'] },
      },
    },
    DashboardAnswer: {
      type: 'object',
      properties: {
        window: ref('Window'),
        as_of: ref('AsOf'),
        summary: {
          allOf: [
            ref('Totals'),
            {
              type: 'object',
              properties: {
                campaigns: integer,
                running: integer,
                stuck: integer,
                window_events: integer,
              },
            },
          ],
        },
        production: { type: 'array', items: ref('ProductionRow') },
        most_active: {
          type: 'array',
          description: `Up to ${MOST_ACTIVE} campaigns with the most events produced in the window`,
          items: ref('CampaignRow'),
        },
        stuck: {
          type: 'object',
          properties: {
            days: integer,
            counted_to: {
              type: 'string',
              format: 'date-time',
              description:
                'The time quiet days are counted up to: the start of the minute the answer was made in (answers are made once a minute)',
            },
            count: integer,
            workflows: {
              type: 'array',
              description: `Quiet longest first, up to ${STUCK_LISTED}`,
              items: ref('StuckRow'),
            },
          },
        },
        pwgs: {
          type: 'array',
          items: {
            allOf: [
              ref('Totals'),
              {
                type: 'object',
                properties: {
                  pwg: nullableString,
                  running: integer,
                  stuck: integer,
                  window_events: integer,
                },
              },
            ],
          },
        },
      },
    },
  };
}
