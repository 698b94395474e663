/**
 * WMStats server `GET /wmstatsserver/data/filtered_requests`
 * (docs/upstreams.md#wmstats-active-requests): every request in an ACTIVE_STATUS; `mask`
 * selects keys (RequestName always included), any other parameter filters on a request
 * field.
 */
import type { World } from '../../world/world.js';
import type { Route, SimRequest, SimResponse } from '../http.js';
import { maskDocument } from '../request-masks.js';
import { restEnvelope } from './reqmgr2.js';

function filteredRequests(world: World, req: SimRequest): SimResponse {
  const masks = req.query.getAll('mask');
  const filters = [...req.query.entries()].filter(([key]) => key !== 'mask');
  const active = world.activeRequests();
  if (filters.length === 0 && masks.every((mask) => mask === 'RequestName') && masks.length > 0) {
    return restEnvelope(active.map(({ name }) => ({ RequestName: name })));
  }
  const keys = [...new Set(['RequestName', ...masks])];
  const items = active
    .map(({ document }) => document())
    .filter((doc) => filters.every(([key, value]) => String(doc[key]) === value))
    .map((doc) => (masks.length > 0 ? maskDocument(doc, keys) : doc));
  return restEnvelope(items);
}

export function wmstatsRoutes(world: World): Route[] {
  return [
    {
      endpoint: 'wmstats',
      method: 'GET',
      pattern: /^\/wmstatsserver\/data\/filtered_requests\/?$/,
      handle: (req) => filteredRequests(world, req),
    },
  ];
}
