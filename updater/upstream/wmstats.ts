/**
 * WMStats server on cmsweb: the requests it caches, i.e. every active one
 * (docs/upstreams.md#wmstats-active-requests).
 */
import { z } from 'zod';
import { callTarget, type UpstreamTarget } from './http.js';
import { validate } from './validate.js';

const filteredRequestsSchema = z.object({
  result: z.array(z.looseObject({ RequestName: z.string().min(1) })),
});

export class WmStatsClient {
  /** `target.timeoutMs` should be long: WMStats answers slowly (600 s by default). */
  constructor(private readonly target: UpstreamTarget) {}

  /** Names of the requests in an active status (may lag ReqMgr2 by a few minutes). */
  async activeWorkflows(): Promise<string[]> {
    const endpoint = 'wmstats.activeWorkflows';
    const answer = await callTarget(this.target, {
      endpoint,
      method: 'GET',
      path: '/wmstatsserver/data/filtered_requests',
      query: new URLSearchParams({ mask: 'RequestName' }),
      idempotent: true,
    });
    return validate(endpoint, filteredRequestsSchema, answer.body).result.map(
      (item) => item.RequestName,
    );
  }
}
