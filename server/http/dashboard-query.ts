/**
 * The query parameters of the dashboards, checked like every other visitor input
 * (validation.ts): given once, as plain text, within bounds; failures are 400s that name
 * the parameter and never echo the value.
 */
import { z } from 'zod';
import { BadRequestError } from '../../lib/errors.js';
import {
  CAMPAIGN_SORTS,
  STUCK_DAYS_DEFAULT,
  STUCK_DAYS_MAX,
  type CampaignSort,
  type SortOrder,
} from '../read-model/dashboard-answers.js';
import { WINDOW_NAMES, type WindowName } from '../read-model/dashboard-window.js';
import { hasControlCharacters, MAX_VALUE_LENGTH } from '../read-model/workflow-names.js';

const ONCE = 'must be given once, as plain text';

const text = z
  .string({ error: ONCE })
  .max(MAX_VALUE_LENGTH, { error: `must be at most ${MAX_VALUE_LENGTH} characters` })
  .refine((value) => !hasControlCharacters(value), {
    error: 'must not contain control characters',
  })
  .transform((value) => value.trim());

const windowParameter = z.enum(WINDOW_NAMES, {
  error: `must be one of ${WINDOW_NAMES.join(', ')}`,
});

const campaignsQuery = z.object({
  window: windowParameter.optional(),
  sort: z.enum(CAMPAIGN_SORTS, { error: `must be one of ${CAMPAIGN_SORTS.join(', ')}` }).optional(),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
  q: text.optional(),
});

const campaignQuery = z.object({ window: windowParameter.optional() });

const dashboardQuery = z.object({
  window: windowParameter.optional(),
  stuck_days: z
    .string({ error: ONCE })
    .regex(/^\d{1,3}$/, { error: `must be a whole number of days from 1 to ${STUCK_DAYS_MAX}` })
    .transform(Number)
    .refine((days) => days >= 1 && days <= STUCK_DAYS_MAX, {
      error: `must be a whole number of days from 1 to ${STUCK_DAYS_MAX}`,
    })
    .optional(),
});

export interface CampaignsQuery {
  window: WindowName;
  sort: CampaignSort;
  order: SortOrder;
  q: string;
}

export function parseCampaignsQuery(query: unknown): CampaignsQuery {
  const parsed = parse(campaignsQuery, query);
  const sort = parsed.sort ?? 'window_events';
  return {
    window: parsed.window ?? '30d',
    sort,
    order: parsed.order ?? (sort === 'campaign' ? 'asc' : 'desc'),
    q: parsed.q ?? '',
  };
}

export function parseCampaignQuery(query: unknown): { window: WindowName } {
  return { window: parse(campaignQuery, query).window ?? '120d' };
}

export function parseDashboardQuery(query: unknown): { window: WindowName; stuckDays: number } {
  const parsed = parse(dashboardQuery, query);
  return { window: parsed.window ?? '30d', stuckDays: parsed.stuck_days ?? STUCK_DAYS_DEFAULT };
}

/** A campaign name in a path: what CMS could name a campaign, nothing absurd. */
export function parseCampaignName(name: string): string {
  if (name === '' || name.length > MAX_VALUE_LENGTH || hasControlCharacters(name)) {
    throw new BadRequestError(
      `a campaign name has 1 to ${MAX_VALUE_LENGTH} characters and no control characters`,
    );
  }
  return name;
}

function parse<T>(schema: z.ZodType<T>, query: unknown): T {
  if (typeof query === 'object' && query !== null) {
    for (const key of Object.keys(query)) {
      if (key.includes('[') || key.includes(']')) {
        throw new BadRequestError(
          'query parameters cannot be arrays or objects; give each one once, as plain text',
        );
      }
    }
  }
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `query parameter ${String(issue.path[0])}` : 'the query';
  throw new BadRequestError(`${where} ${issue?.message ?? 'is not valid'}`);
}
