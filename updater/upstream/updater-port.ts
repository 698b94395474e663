/**
 * The clients behind the interfaces the update run is written against
 * (`updater/upstream-port.ts`): a flat `UpdaterUpstream` and a `CallbackNotifier`.
 */
import type { Config, UpstreamConfig } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import type { CallbackNotifier, CallbackTarget, UpdaterUpstream } from '../upstream-port.js';
import { createUpstream, type UpstreamOptions } from './create.js';

export function createUpdaterUpstream(
  config: UpstreamConfig,
  logger: Logger,
  options: Pick<UpstreamOptions, 'retryDelays'> = {},
): UpdaterUpstream & { close(): Promise<void> } {
  const { reqmgr, wmstats, dbs, close } = createUpstream(config, logger, options);
  return {
    changes: (since, limit) => reqmgr.changes(since, limit),
    request: (name) => reqmgr.request(name),
    requestsByPrepId: (prepId, masks) => reqmgr.requestsByPrepId(prepId, masks),
    activeWorkflows: () => wmstats.activeWorkflows(),
    datasetList: (datasets, options) => dbs.datasetList(datasets, options),
    fileSummaries: (dataset, validFileOnly) => dbs.fileSummaries(dataset, validFileOnly),
    files: (dataset, run, lumiRanges, validFileOnly) =>
      dbs.files(dataset, run, lumiRanges, validFileOnly),
    datasetsModifiedSince: (epochSeconds) => dbs.datasetsModifiedSince(epochSeconds),
    close,
  };
}

export function createCallbackNotifier(
  config: Config,
  logger: Logger,
  options: Pick<UpstreamOptions, 'retryDelays'> = {},
): CallbackNotifier & { close(): Promise<void> } {
  const { pdmv, close } = createUpstream(config.upstream, logger, {
    ...options,
    callbacks: config.callbacks,
  });
  return {
    async notify(workflow, target: CallbackTarget) {
      const result = await pdmv.notify(
        {
          RequestName: workflow._id,
          RequestType: workflow.RequestType ?? undefined,
          PrepID: workflow.PrepID,
        },
        target,
      );
      return result.status === 'sent' ? { sent: true } : { sent: false, reason: result.reason };
    },
    close,
  };
}
