/**
 * The call that notifies a workflow's PdmV service after it changed
 * (docs/update-run.md#routing); which service that is: `notifiedServiceOf`.
 */
import { notifiedServiceOf, type NotifiedServiceFields } from '../workflow/pdmv-service.js';

export type CallbackRoute =
  | {
      service: 'rereco' | 'relval';
      skipped: false;
      method: 'POST';
      path: string;
      body: { prepid: string };
    }
  | { service: 'mcm'; skipped: false; method: 'GET'; path: string }
  | { service: 'rereco' | 'relval'; skipped: true; reason: string };

const PREPID_PATHS = {
  rereco: '/rereco/api/requests/update_workflows',
  relval: '/relval/api/relvals/update_workflows',
} as const;

/** A path under the configured PdmV base URL; `skipped` when the route needs a PrepID and there is none. */
export function callbackRoute(workflow: NotifiedServiceFields): CallbackRoute {
  const prepid = workflow.PrepID ?? '';
  const service = notifiedServiceOf(workflow);
  if (service === 'mcm') {
    return {
      service,
      skipped: false,
      method: 'GET',
      path: `/mcm/restapi/requests/fetch_stats_by_wf/${encodeURIComponent(workflow._id)}`,
    };
  }
  if (prepid === '') {
    return {
      service,
      skipped: true,
      reason: `${workflow._id} has no PrepID to notify the ${service} service with`,
    };
  }
  return { service, skipped: false, method: 'POST', path: PREPID_PATHS[service], body: { prepid } };
}
