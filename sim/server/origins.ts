/** The five upstream origins and what each serves, in its own error style. */
import type { SimulatedClock } from '../clock.js';
import type { JwtKeys } from '../jwt.js';
import type { World } from '../world/world.js';
import {
  dbsErrorResponse,
  json,
  type OriginDefinition,
  type SimRequest,
  type SimResponse,
} from './http.js';
import { clockRoutes } from './routes/clock.js';
import { couchdbRoutes } from './routes/couchdb.js';
import { dbsRoutes } from './routes/dbs.js';
import { pdmvRoutes, type CallbackRecord } from './routes/pdmv.js';
import { reqmgr2Routes } from './routes/reqmgr2.js';
import { ssoRoutes, type SsoSettings } from './routes/sso.js';
import { wmstatsRoutes } from './routes/wmstats.js';

export type OriginName = 'cmsweb' | 'cmsweb-prod' | 'sso' | 'pdmv-prod' | 'pdmv-dev';

const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function plainServerError(_request: SimRequest, status: number): SimResponse {
  return json(status, { error: 'server_error', reason: REASONS[status] ?? 'Server Error' });
}

function plainNotFound(request: SimRequest): SimResponse {
  return json(404, { error: 'not_found', reason: `no such path ${request.path}` });
}

export interface OriginSettings {
  world: World;
  clock: SimulatedClock;
  keys: JwtKeys;
  sso: SsoSettings;
  prodAudience: string;
  devAudience: string;
  record: (entry: CallbackRecord) => void;
}

export function originDefinitions(settings: OriginSettings): Record<OriginName, OriginDefinition> {
  const { world, keys, record } = settings;
  return {
    cmsweb: {
      name: 'cmsweb',
      requireClientCertificate: true,
      routes: [
        ...couchdbRoutes(world),
        ...reqmgr2Routes(world),
        ...wmstatsRoutes(world),
        ...clockRoutes(settings.clock),
      ],
      notFound: plainNotFound,
      serverError: plainServerError,
    },
    'cmsweb-prod': {
      name: 'cmsweb-prod',
      requireClientCertificate: true,
      routes: dbsRoutes(world),
      notFound: (request) =>
        dbsErrorResponse(
          request,
          404,
          113,
          'DBSError Code:113 Description:validation error',
          `unknown API ${request.path}`,
        ),
      serverError: (request, status) =>
        dbsErrorResponse(
          request,
          status,
          103,
          'DBSError Code:103 Description:DBS DB query error',
          REASONS[status] ?? 'error',
        ),
    },
    sso: {
      name: 'sso',
      requireClientCertificate: false,
      routes: ssoRoutes(settings.sso, keys),
      notFound: plainNotFound,
      serverError: plainServerError,
    },
    'pdmv-prod': {
      name: 'pdmv-prod',
      requireClientCertificate: false,
      routes: pdmvRoutes({ env: 'prod', audience: settings.prodAudience, keys, world, record }),
      notFound: plainNotFound,
      serverError: plainServerError,
    },
    'pdmv-dev': {
      name: 'pdmv-dev',
      requireClientCertificate: false,
      routes: pdmvRoutes({ env: 'dev', audience: settings.devAudience, keys, world, record }),
      notFound: plainNotFound,
      serverError: plainServerError,
    },
  };
}
