/**
 * The composition root: what talks to the outside is built here, from the configuration —
 * the upstream clients (ReqMgr2, WMStats, DBS; the PdmV notifier), the update run's
 * dependencies, and the website (reader repositories, workflow source and index, the read
 * model's services and caches, the Express app, listening: compose-website.ts, loaded
 * only when a website starts). Entry points (main.ts, the commands, the bench workers) parse
 * their flags, call these, and print. Tests and benchmarks pass fakes through the
 * overrides. The upstream clients and the website are loaded when first composed, so a
 * command that needs neither starts without them.
 */
import path from 'node:path';
import { systemClock, type Clock } from './lib/clock.js';
import type { Config } from './lib/config.js';
import { errorMessage } from './lib/errors.js';
import type { Logger } from './lib/logger.js';
import type { CouchTarget } from './couch/connection.js';
import { openRepositories, type Repositories } from './couch/open-databases.js';
import { checkUpdateConfig } from './preflight/update-config.js';
import type { RunningWebsite, WebsiteOptions } from './server/http/website.js';
import type { UpdateWorkflow } from './server/http/workflow-updates.js';
import { oneWorkflowOutcome, updateWorkflow, type UpdateDependencies } from './updater/run.js';
import type { CallbackNotifier, CallbackTarget, UpdaterUpstream } from './updater/upstream-port.js';
import type { UpstreamOptions } from './updater/upstream/index.js';

export type ClosableUpstream = UpdaterUpstream & { close?(): Promise<void> };

/** Fakes or settings that replace what the configuration would build. */
export interface UpstreamOverrides {
  upstream?: ClosableUpstream;
  notifier?: CallbackNotifier & { close?(): Promise<void> };
  retryDelays?: UpstreamOptions['retryDelays'];
}

/** The ReqMgr2, WMStats and DBS clients the update run and `verify` read through. */
export async function composeUpstream(
  config: Config,
  logger: Logger,
  overrides: UpstreamOverrides = {},
): Promise<ClosableUpstream> {
  if (overrides.upstream) return overrides.upstream;
  const { createUpdaterUpstream } = await import('./updater/upstream/index.js');
  return createUpdaterUpstream(config.upstream, logger, retryOptions(overrides));
}

export interface UpdaterParts {
  /** Where the run reads and writes (admin access). */
  repositories: Repositories;
  /** The run's own log lines. */
  logger: Logger;
  /** The upstream clients' log lines (default: `logger`). */
  upstreamLogger?: Logger;
  /** PdmV deployments to notify; without any, no notifier is built. */
  triggers?: readonly CallbackTarget[];
}

export interface ComposedUpdater {
  deps: UpdateDependencies;
  /** Closes the upstream clients (not the databases: they belong to the caller). */
  close(): Promise<void>;
}

/** Everything an update run (or a one-workflow update) needs besides its options. */
export async function composeUpdater(
  config: Config,
  parts: UpdaterParts,
  overrides: UpstreamOverrides = {},
): Promise<ComposedUpdater> {
  const upstreamLogger = parts.upstreamLogger ?? parts.logger;
  const upstream = await composeUpstream(config, upstreamLogger, overrides);
  let notifier = overrides.notifier;
  if (notifier === undefined && (parts.triggers?.length ?? 0) > 0) {
    const { createCallbackNotifier } = await import('./updater/upstream/index.js');
    notifier = createCallbackNotifier(config, upstreamLogger, retryOptions(overrides));
  }
  return {
    deps: {
      workflows: parts.repositories.workflows,
      settings: parts.repositories.settings,
      upstream,
      notifier,
      logger: parts.logger,
    },
    async close() {
      await upstream.close?.();
      await notifier?.close?.();
    },
  };
}

/**
 * The clock a command stamps times with: the system clock, or the one STATS_CLOCK_URL
 * serves (the demo's simulated world), read once now (a ConfigError if it cannot be).
 */
export async function composeClock(config: Config): Promise<Clock> {
  if (config.updater.clockUrl === undefined) return systemClock;
  const { readClockUrl } = await import('./updater/upstream/index.js');
  return readClockUrl(config.updater.clockUrl, config.upstream);
}

function retryOptions(overrides: UpstreamOverrides): Pick<UpstreamOptions, 'retryDelays'> {
  return overrides.retryDelays ? { retryDelays: overrides.retryDelays } : {};
}

/**
 * `POST api/update` runs the updater inside the website, so only when an operator turned
 * it on (STATS_UPDATE_TOKEN): then, and only for these updates, the admin credentials and
 * the grid certificate are used. Pages keep reading with the reader connection.
 */
export async function composeWebsiteUpdater(
  config: Config,
  admin: CouchTarget,
  logger: Logger,
): Promise<{ updateWorkflow: UpdateWorkflow; close(): Promise<void> } | undefined> {
  if (config.web.updateToken === undefined) return undefined;
  try {
    checkUpdateConfig(config, []);
  } catch (err) {
    logger.warn(`api/update is off: ${errorMessage(err)}`);
    return undefined;
  }
  const updater = await composeUpdater(config, {
    repositories: openRepositories(admin, {
      requests: config.couch.requestsDb,
      settings: config.couch.settingsDb,
    }),
    logger: logger.child({ module: 'updater' }),
    upstreamLogger: logger.child({ module: 'upstream' }),
  });
  return {
    updateWorkflow: async (name) => oneWorkflowOutcome(await updateWorkflow(name, updater.deps)),
    close: () => updater.close(),
  };
}

/** The website's options that come from the configuration as the service runs it (main.ts). */
export function configuredWebsite(
  config: Config,
): Pick<
  WebsiteOptions,
  | 'databases'
  | 'host'
  | 'port'
  | 'prefix'
  | 'updateToken'
  | 'trustProxy'
  | 'snapshotDir'
  | 'couchName'
> {
  return {
    databases: { requests: config.couch.requestsDb, settings: config.couch.settingsDb },
    host: config.web.host,
    port: config.web.port,
    prefix: config.web.prefix,
    updateToken: config.web.updateToken,
    trustProxy: config.web.trustProxy,
    snapshotDir:
      config.web.snapshotDir === false
        ? undefined
        : (config.web.snapshotDir ?? path.join(config.couch.dataDir, 'website')),
    // The embedded server's port changes at every start; its data folder does not.
    couchName:
      config.couch.url === undefined
        ? `embedded CouchDB in ${path.join(config.couch.dataDir, 'couchdb')}`
        : undefined,
  };
}

/**
 * The website: the reader's repositories, the workflow index over the database's feed
 * (read in the background), the read model's services, the Express app, listening
 * (compose-website.ts). Used by main.ts, the demo, the tests and the website benchmark.
 */
export async function startWebsite(options: WebsiteOptions): Promise<RunningWebsite> {
  return (await import('./compose-website.js')).startWebsite(options);
}
