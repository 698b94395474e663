/**
 * The upstream clients of Stats2: ReqMgr2, WMStats, DBS, CERN SSO and the PdmV services.
 * `createUpstream` composes them from the configuration; `createUpdaterUpstream` and
 * `createCallbackNotifier` present them as the update run's ports.
 */
export { createUpstream, type Upstream, type UpstreamOptions } from './create.js';
export {
  DATASETS_PER_POST,
  DbsClient,
  type DatasetAccess,
  type DbsFileApiRow,
  type FileSummary,
} from './dbs.js';
export {
  MalformedSinceError,
  UpstreamError,
  UpstreamNotFoundError,
  type UpstreamErrorCode,
} from './errors.js';
export {
  PdmvNotifier,
  type NotifiableWorkflow,
  type NotifyResult,
  type PdmvInstance,
} from './pdmv.js';
export {
  ReqMgrClient,
  type RawReqMgrDocument,
  type ReqMgrChangeRow,
  type ReqMgrChangesPage,
} from './reqmgr.js';
export { WmStatsClient } from './wmstats.js';
export type { RetryPolicy } from './http.js';
export { readClockUrl } from './clock.js';
export { createCallbackNotifier, createUpdaterUpstream } from './updater-port.js';
