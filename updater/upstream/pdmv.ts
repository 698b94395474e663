/**
 * Notifications to the PdmV service that owns a workflow (docs/update-run.md#notifications;
 * the endpoints: docs/upstreams.md#pdmv-callback-endpoints): ReReco and RelVal by PrepID,
 * everything else through McM by workflow name, each with a CERN SSO bearer token for that
 * deployment's application.
 */
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.js';
import { UpstreamError } from './errors.js';
import { callTarget, httpError, type UpstreamTarget } from './http.js';
import type { TokenSource } from './sso.js';
import { validate } from './validate.js';
import type { PdmvService } from '../../workflow/pdmv-service.js';
import { callbackRoute } from '../callback-route.js';

/** Which deployment of the PdmV services is notified: production or development. */
export type PdmvInstance = 'prod' | 'dev';

export interface NotifiableWorkflow {
  RequestName: string;
  RequestType?: string;
  PrepID?: string | null;
}

export type NotifyResult =
  | {
      status: 'sent';
      route: PdmvService;
      target: PdmvInstance;
      httpStatus: number;
      response: unknown;
    }
  | { status: 'skipped'; route: PdmvService; target: PdmvInstance; reason: string };

export interface Deployment {
  target: UpstreamTarget;
  /** Application client id: the token's audience. */
  audience: string | undefined;
}

const machineAnswerSchema = z.looseObject({
  success: z.boolean(),
  message: z.string().optional(),
  response: z.unknown(),
});

export class PdmvNotifier {
  constructor(
    private readonly deployments: Record<PdmvInstance, Deployment>,
    private readonly tokens: TokenSource | undefined,
  ) {}

  async notify(workflow: NotifiableWorkflow, target: PdmvInstance): Promise<NotifyResult> {
    const decided = callbackRoute({
      _id: workflow.RequestName,
      RequestType: workflow.RequestType,
      PrepID: workflow.PrepID,
    });
    const route = decided.service;
    if (decided.skipped) return { status: 'skipped', route, target, reason: decided.reason };
    const deployment = this.deployments[target];
    if (this.tokens === undefined || deployment.audience === undefined) {
      throw new ConfigError(
        `PdmV ${target} notifications need CALLBACK_CLIENT_ID, CALLBACK_CLIENT_SECRET and ${target === 'prod' ? 'APPLICATION_CLIENT_ID' : 'DEV_APPLICATION_CLIENT_ID'}`,
      );
    }
    const audience = deployment.audience;
    const headers = { authorization: `Bearer ${await this.tokens.token(audience)}` };
    const endpoint = `pdmv.${route}`;
    try {
      if (decided.method === 'GET') {
        const answer = await callTarget(deployment.target, {
          endpoint,
          method: 'GET',
          path: decided.path,
          headers,
          idempotent: true,
        });
        return { status: 'sent', route, target, httpStatus: answer.status, response: answer.body };
      }
      const answer = await callTarget(deployment.target, {
        endpoint,
        method: 'POST',
        path: decided.path,
        headers,
        body: { contentType: 'application/json', text: JSON.stringify(decided.body) },
        idempotent: false,
      });
      const result = validate(endpoint, machineAnswerSchema, answer.body);
      if (!result.success) throw httpError(endpoint, answer.status, JSON.stringify(result));
      return {
        status: 'sent',
        route,
        target,
        httpStatus: answer.status,
        response: result.response,
      };
    } catch (err) {
      // A refused token (expired early, revoked) must not be reused.
      if (err instanceof UpstreamError && err.status === 401) this.tokens.forget(audience);
      throw err;
    }
  }
}
