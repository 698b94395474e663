/**
 * `--action update [--name NAME] [--trigger-prod] [--trigger-dev]`: the update run, or
 * the update of one workflow. Exit status: 0 all well, 1 some workflow or notification
 * failed (it is retried by the next run) or the run is incomplete, 3 another run holds
 * the lock.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../lib/errors.js';
import type { Config } from '../lib/config.js';
import { acquireRunLock, RunLockedError } from '../updater/run-lock.js';
import {
  runSucceeded,
  runUpdate,
  updateWorkflow,
  type RunSummary,
  type UpdateDependencies,
} from '../updater/run.js';
import type { CallbackTarget } from '../updater/upstream-port.js';
import { openDatabases, type CommandContext } from './context.js';
import { formatSummary, progressDisplay } from './update-progress.js';

export interface UpdateArguments {
  name?: string;
  triggerProd?: boolean;
  triggerDev?: boolean;
}

export const EXIT_LOCKED = 3;

export async function runUpdateCommand(
  { config, logger: commandLogger }: CommandContext,
  args: UpdateArguments,
): Promise<number> {
  // Every log line of this run, the upstream clients' included, says which run it is.
  const logger = commandLogger.child({ runId: randomBytes(4).toString('hex') });
  const triggers: CallbackTarget[] = [
    ...(args.triggerProd ? ['prod' as const] : []),
    ...(args.triggerDev ? ['dev' as const] : []),
  ];
  checkUpdateConfig(config, triggers);

  const { createUpdaterUpstream, createCallbackNotifier } =
    await import('../updater/upstream/index.js');
  const db = await openDatabases(config);
  const upstream = createUpdaterUpstream(config.upstream, logger);
  const notifier = triggers.length > 0 ? createCallbackNotifier(config, logger) : undefined;
  const deps: UpdateDependencies = {
    workflows: db.workflows,
    settings: db.settings,
    upstream,
    notifier,
    logger,
  };
  const progress = progressDisplay(process.stderr);
  try {
    let summary: RunSummary;
    if (args.name !== undefined) {
      summary = await updateWorkflow(args.name, deps, { triggers, onProgress: progress.update });
    } else {
      let lock;
      try {
        lock = await acquireRunLock(db.server, config.couch.settingsDb, {
          ttlMs: config.updater.lockTtlSeconds * 1000,
        });
      } catch (err) {
        if (err instanceof RunLockedError) {
          console.error(err.message);
          return EXIT_LOCKED;
        }
        throw err;
      }
      try {
        summary = await runUpdate(deps, {
          triggers,
          onProgress: progress.update,
          pageSize: config.updater.pageSize,
          batchSize: config.updater.batchSize,
        });
      } finally {
        await lock.release();
      }
    }
    progress.stop();
    logger.info({ summary: { ...summary, failed: summary.failed.length } }, 'update finished');
    if (process.stdout.isTTY) console.log(formatSummary(summary));
    return runSucceeded(summary) ? 0 : 1;
  } finally {
    progress.stop();
    await upstream.close?.();
    await db.close();
  }
}

/** Says which variable is missing before anything starts. */
export function checkUpdateConfig(config: Config, triggers: readonly CallbackTarget[]): void {
  if (config.couch.url !== undefined && config.couch.authHeader === undefined) {
    throw new ConfigError(
      'update writes to CouchDB and needs an admin: put the credentials in COUCHDB_URL (http://user:password@host:5984) or set STATS_DB_AUTH_HEADER',
    );
  }
  checkUpstreamCertificate(config, 'update');
  if (triggers.length === 0) return;
  const missing = [
    config.callbacks.clientId ? undefined : 'CALLBACK_CLIENT_ID',
    config.callbacks.clientSecret ? undefined : 'CALLBACK_CLIENT_SECRET',
    triggers.includes('prod') && !config.callbacks.prodAudience
      ? 'APPLICATION_CLIENT_ID'
      : undefined,
    triggers.includes('dev') && !config.callbacks.devAudience
      ? 'DEV_APPLICATION_CLIENT_ID'
      : undefined,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigError(
      `--trigger-prod/--trigger-dev notify the PdmV services with CERN SSO tokens: set ${missing.join(', ')}`,
    );
  }
}

/** `action` talks to cmsweb: says which variables to set when the grid certificate is not configured. */
export function checkUpstreamCertificate(config: Config, action: string): void {
  if (!config.upstream.certFile || !config.upstream.keyFile) {
    throw new ConfigError(
      `${action} talks to cmsweb with a grid certificate: set USERCRT and USERKEY (or X509_USER_CERT and X509_USER_KEY, or X509_USER_PROXY) to its PEM files`,
    );
  }
}
