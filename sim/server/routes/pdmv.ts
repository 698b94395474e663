/**
 * The PdmV services Stats2 notifies (docs/upstreams.md#pdmv-callback-endpoints): McM
 * `fetch_stats_by_wf`, ReReco and RelVal `update_workflows`. Each verifies the bearer JWT
 * (signature, expiry, audience = this deployment's application id) and every call is
 * recorded for tests.
 */
import type { JwtKeys } from '../../jwt.js';
import type { World } from '../../world/world.js';
import { json, type Route, type SimRequest, type SimResponse } from '../http.js';

export type PdmvService = 'mcm' | 'rereco' | 'relval';
export type PdmvEnvironment = 'prod' | 'dev';

export interface CallbackRecord {
  service: PdmvService;
  env: PdmvEnvironment;
  method: string;
  path: string;
  /** The parsed JSON body (null without one). */
  body: unknown;
  /** `aud` of a correctly signed token, null when there was none. */
  audience: string | null;
  status: number;
  /** Wall-clock milliseconds. */
  at: number;
}

interface Deployment {
  env: PdmvEnvironment;
  audience: string;
  keys: JwtKeys;
  world: World;
  record: (entry: CallbackRecord) => void;
}

const MCM_PREPID = /^(task_)?[A-Z0-9]{3}-.*-[0-9]{5}$/;
const PREPID_OF: Record<Exclude<PdmvService, 'mcm'>, RegExp> = {
  rereco: /^ReReco-.*-[0-9]{5}$/,
  relval: /^CMSSW_.*-[0-9]{5}$/,
};

type Authentication =
  { ok: true; audience: string } | { ok: false; audience: string | null; response: SimResponse };

/** PdmVWebCore's middleware: JWT from the Authorization header, RS256, `aud` must match. */
function authenticate(deployment: Deployment, request: SimRequest): Authentication {
  const token = /([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(
    request.headers.authorization ?? '',
  )?.[1];
  if (token === undefined) {
    return {
      ok: false,
      audience: null,
      response: json(401, {
        msg: 'Please provide a JWT, valid for this application, via Authorization header. You can retrieve one by using the client credentials flow',
      }),
    };
  }
  const check = deployment.keys.verify(token, Date.now() / 1000);
  if (!check.ok) {
    const response =
      check.reason === 'expired'
        ? json(401, { msg: 'The provided JWT has expired' })
        : json(401, {
            error: `The provided JWT token is invalid - Details: ${check.reason === 'signature' ? 'Signature verification failed' : 'Not enough segments'}`,
          });
    return { ok: false, audience: null, response };
  }
  const audience = typeof check.claims.aud === 'string' ? check.claims.aud : null;
  if (audience !== deployment.audience) {
    return {
      ok: false,
      audience,
      response: json(401, {
        error: 'The provided JWT token is invalid - Details: Invalid audience',
      }),
    };
  }
  return { ok: true, audience };
}

function mcmFetchStats(world: World, workflow: string): SimResponse {
  const doc = world.request(workflow);
  const prepId = doc?.PrepID;
  if (doc === undefined || typeof prepId !== 'string' || !MCM_PREPID.test(prepId)) {
    return json(200, {
      workflow,
      results: false,
      message: 'No requests found produced by this workflow',
    });
  }
  const tasks = Object.keys(doc)
    .filter((key) => /^(Task|Step)\d+$/.test(key))
    .map((key) => (doc[key] as Record<string, unknown>).PrepID)
    .filter((p): p is string => typeof p === 'string');
  const prepIds = tasks.length > 0 ? [...new Set(tasks)] : [prepId.replace(/^task_/, '')];
  return json(
    200,
    prepIds.map((p) => ({ prepid: p, results: true })),
  );
}

function updateWorkflows(
  world: World,
  service: Exclude<PdmvService, 'mcm'>,
  body: unknown,
): SimResponse {
  const failure = (status: number, message: string): SimResponse =>
    json(status, { response: null, success: false, message });
  if (body === null) return failure(400, 'No data was found in request');
  const items = Array.isArray(body) ? body : [body];
  const results: unknown[] = [];
  for (const item of items) {
    const prepId =
      typeof item === 'object' && item !== null
        ? (item as Record<string, unknown>).prepid
        : undefined;
    if (typeof prepId !== 'string' || prepId === '')
      return failure(400, 'Missing "prepid" attribute');
    const workflows = world.findRequests({ prepIds: [prepId] }).map((doc) => doc._id);
    if (!PREPID_OF[service].test(prepId) || workflows.length === 0)
      return failure(404, `Object "${prepId}" does not exist`);
    results.push({ prepid: prepId, workflows });
  }
  return json(200, {
    response: Array.isArray(body) ? results : results[0],
    success: true,
    message: '',
  });
}

function parseBody(request: SimRequest): { ok: true; value: unknown } | { ok: false } {
  if (request.body.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(request.body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function handler(
  deployment: Deployment,
  service: PdmvService,
  serve: (request: SimRequest, match: RegExpExecArray, body: unknown) => SimResponse,
) {
  return (request: SimRequest, match: RegExpExecArray): SimResponse => {
    const parsed = parseBody(request);
    const auth = authenticate(deployment, request);
    let response: SimResponse;
    if (!auth.ok) response = auth.response;
    else if (!parsed.ok)
      response = json(400, {
        response: null,
        success: false,
        message: 'Invalid JSON in request body',
      });
    else response = serve(request, match, parsed.value);
    deployment.record({
      service,
      env: deployment.env,
      method: request.method,
      path: request.path,
      body: parsed.ok ? parsed.value : request.body.toString('utf8'),
      audience: auth.audience,
      status: response.status,
      at: Date.now(),
    });
    return response;
  };
}

export function pdmvRoutes(deployment: Deployment): Route[] {
  const { world } = deployment;
  return [
    {
      endpoint: 'mcm',
      method: 'GET',
      pattern: /^\/mcm\/restapi\/requests\/fetch_stats_by_wf\/([^/]+)$/,
      handle: handler(deployment, 'mcm', (_req, match) => mcmFetchStats(world, match[1] ?? '')),
    },
    {
      endpoint: 'rereco',
      method: 'POST',
      pattern: /^\/rereco\/api\/requests\/update_workflows\/?$/,
      handle: handler(deployment, 'rereco', (_req, _match, body) =>
        updateWorkflows(world, 'rereco', body),
      ),
    },
    {
      endpoint: 'relval',
      method: 'POST',
      pattern: /^\/relval\/api\/relvals\/update_workflows\/?$/,
      handle: handler(deployment, 'relval', (_req, _match, body) =>
        updateWorkflows(world, 'relval', body),
      ),
    },
  ];
}
