/**
 * Which PdmV service owns a workflow and so gets notified after it changed (SPEC §5
 * step 5, §7): ReReco, RelVal or McM, checked in that order.
 */

export type PdmvService = 'rereco' | 'relval' | 'mcm';

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

export interface CallbackSubject {
  _id: string;
  RequestType?: string | null;
  PrepID?: string | null;
}

const PREPID_PATHS = {
  rereco: '/rereco/api/requests/update_workflows',
  relval: '/relval/api/relvals/update_workflows',
} as const;

/** A path under the configured PdmV base URL; `skipped` when the route needs a PrepID and there is none. */
export function callbackRoute(workflow: CallbackSubject): CallbackRoute {
  const prepid = workflow.PrepID ?? '';
  const service = ownerOf(workflow, prepid);
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

function ownerOf(workflow: CallbackSubject, prepid: string): PdmvService {
  if (workflow.RequestType?.toLowerCase() === 'rereco' || prepid.startsWith('ReReco-'))
    return 'rereco';
  if (workflow._id.includes('RVCMSSW')) return 'relval';
  return 'mcm';
}
