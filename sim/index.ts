/**
 * A local stand-in for cmsweb (ReqMgr2, WMStats), DBS, CERN SSO and the PdmV services,
 * over HTTPS with mutual TLS, serving a deterministic simulated world. Not production code.
 *
 *   const sim = await startSimulator({ seed: 1, workflows: 2000, active: 200 });
 *   const config = loadConfig({ ...sim.env });
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTlsMaterial, type TlsFiles } from './certs.js';
import { Faults } from './faults.js';
import { JwtKeys } from './jwt.js';
import { OriginServer } from './server/http.js';
import { originDefinitions, type OriginName } from './server/origins.js';
import { CLOCK_PATH } from './server/routes/clock.js';
import type { CallbackRecord } from './server/routes/pdmv.js';
import { SimulatedClock } from './clock.js';
import { World } from './world/world.js';

export type { EndpointName, FaultSpec } from './faults.js';
export type { CallbackRecord } from './server/routes/pdmv.js';
export type {
  AdvanceSummary,
  DatasetSetting,
  FileAddition,
  WorkflowSummary,
} from './world/world.js';
export { Faults } from './faults.js';
export { SimulatedClock } from './clock.js';
export { World } from './world/world.js';

export interface SimulatorOptions {
  seed: number;
  workflows: number;
  /** How many of the workflows are active (WMStats) at the start. */
  active: number;
  /** Where the certificates go (reused when present); default: a temporary directory removed on close. */
  dir?: string;
  /** Latency added to every answer. */
  latencyMs?: number;
  /**
   * Simulated epoch seconds at the start. Default: the wall clock when the simulator starts,
   * so that DBS dates (`last_modification_date`, `min_ldate`) compare with the dates an
   * updater on the real clock stores (`last_dbs_update_date`); simulated time then moves
   * only with `world.advance()`. Give the same value to get the same world twice.
   */
  startTime?: number;
  /** First port: the five origins listen on port..port+4. 0 (default) = any free ports. */
  port?: number;
  /** `expires_in` of SSO tokens (default 1200 s). */
  tokenLifetimeSeconds?: number;
}

export interface SimulatorUrls {
  cmsweb: string;
  cmswebProd: string;
  sso: string;
  pdmvProd: string;
  pdmvDev: string;
  /** GET: the simulated time, `{"now": ISO time, "epochMs": …}` (served by the cmsweb origin, client certificate required). */
  clock: string;
}

export interface Simulator {
  /** Environment variables pointing stats2 at the simulator (merge into loadConfig's env). */
  env: Record<string, string>;
  urls: SimulatorUrls;
  tls: TlsFiles;
  world: World;
  /** The world's time, running between its steps (epoch ms): what the demo stamps and shows. */
  clock: SimulatedClock;
  faults: Faults;
  /** Every call that reached a PdmV service, in arrival order. */
  callbacks: CallbackRecord[];
  /** Requests per endpoint name. */
  counts: Record<string, number>;
  close(): Promise<void>;
}

const PROD_AUDIENCE = 'cms-pdmv-prod';
const DEV_AUDIENCE = 'cms-pdmv-dev';
const ORIGIN_ORDER: OriginName[] = ['cmsweb', 'cmsweb-prod', 'sso', 'pdmv-prod', 'pdmv-dev'];

/** The callback client's id and secret, kept next to the certificates so restarts keep them. */
async function ssoClient(dir: string): Promise<{ clientId: string; clientSecret: string }> {
  const file = path.join(dir, 'sso-client.json');
  if (existsSync(file))
    return JSON.parse(await readFile(file, 'utf8')) as { clientId: string; clientSecret: string };
  const client = {
    clientId: 'stats2-callback',
    clientSecret: randomBytes(24).toString('base64url'),
  };
  await writeFile(file, `${JSON.stringify(client)}\n`, { mode: 0o600 });
  return client;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const temporary = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'stats2-sim-')));
  await mkdir(dir, { recursive: true });
  const material = await ensureTlsMaterial(dir);
  const client = await ssoClient(dir);
  const world = new World({
    seed: options.seed,
    workflows: options.workflows,
    active: options.active,
    startTime: options.startTime ?? Math.floor(Date.now() / 1000),
  });
  const clock = new SimulatedClock(world);
  const faults = new Faults(options.seed, options.latencyMs ?? 0);
  const callbacks: CallbackRecord[] = [];
  const counts: Record<string, number> = {};
  const keys = new JwtKeys(material.tokenKeyPem, 'stats2-sim');

  // SSO settings need the SSO URL (issuer), known only once listening: fill it in afterwards.
  const sso = {
    issuer: '',
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    audiences: [PROD_AUDIENCE, DEV_AUDIENCE],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 1200,
  };
  const definitions = originDefinitions({
    world,
    clock,
    keys,
    sso,
    prodAudience: PROD_AUDIENCE,
    devAudience: DEV_AUDIENCE,
    record: (entry) => callbacks.push(entry),
  });
  const tlsOptions = {
    caPem: material.caPem,
    certPem: material.serverCertPem,
    keyPem: material.serverKeyPem,
  };
  const servers: OriginServer[] = [];
  const urls: Partial<Record<OriginName, string>> = {};
  try {
    for (const [i, name] of ORIGIN_ORDER.entries()) {
      const server = new OriginServer(definitions[name], tlsOptions, faults, counts);
      servers.push(server);
      urls[name] = await server.listen(options.port ? options.port + i : 0);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const simUrls: SimulatorUrls = {
    cmsweb: urls.cmsweb as string,
    cmswebProd: urls['cmsweb-prod'] as string,
    sso: urls.sso as string,
    pdmvProd: urls['pdmv-prod'] as string,
    pdmvDev: urls['pdmv-dev'] as string,
    clock: `${urls.cmsweb as string}${CLOCK_PATH}`,
  };
  sso.issuer = `${simUrls.sso}/auth/realms/cern`;
  const tls = pickTlsFiles(material);
  return {
    env: {
      CMSWEB_URL: simUrls.cmsweb,
      CMSWEB_PROD_URL: simUrls.cmswebProd,
      SSO_URL: simUrls.sso,
      PDMV_PROD_URL: simUrls.pdmvProd,
      PDMV_DEV_URL: simUrls.pdmvDev,
      USERCRT: tls.clientCertFile,
      USERKEY: tls.clientKeyFile,
      X509_CERT_DIR: tls.caDir,
      CALLBACK_CLIENT_ID: client.clientId,
      CALLBACK_CLIENT_SECRET: client.clientSecret,
      APPLICATION_CLIENT_ID: PROD_AUDIENCE,
      DEV_APPLICATION_CLIENT_ID: DEV_AUDIENCE,
    },
    urls: simUrls,
    tls,
    world,
    clock,
    faults,
    callbacks,
    counts,
    async close(): Promise<void> {
      await Promise.all(servers.map((s) => s.close()));
      if (temporary) await rm(dir, { recursive: true, force: true });
    },
  };
}

function pickTlsFiles(material: TlsFiles): TlsFiles {
  const { caFile, caDir, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile } = material;
  return { caFile, caDir, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile };
}
