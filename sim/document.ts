/**
 * Builds the raw ReqMgr2 CouchDB document (docs/upstreams.md#reqmgr2-request-documents) of
 * a generated workflow from its spec and its history so far.
 */
import { assignmentFields, requestDate } from './generator/common.js';
import type { WorkflowSpec } from './generator/types.js';
import { inputStatistics } from './input-statistics.js';
import { hashOf, hexOf, Rng } from './prng.js';
import { hasInputStatistics } from './statuses.js';

/** A document of `reqmgr_workload_cache` (requests, and the `_design/ReqMgr` document). */
export type SimReqMgrDocument = Record<string, unknown> & { _id: string };

export interface WorkflowHistory {
  statuses: readonly string[];
  times: readonly number[];
  priorities: ReadonlyArray<{ priority: number; time: number }>;
  revision: number;
}

export function revisionString(seed: number, id: string, revision: number): string {
  return `${revision}-${hexOf(32, seed, 'rev', id, revision)}`;
}

function transitionDn(spec: WorkflowSpec): string | null {
  switch (spec.dnStyle) {
    case 'dn':
      return spec.requestorDn;
    case 'empty':
      return '';
    case 'unknown':
      return 'unknown';
    case 'null':
      return null;
  }
}

/** ReqMgr1-era documents nest OutputDatasets per task: [['/A/B/AODSIM'], ['/A/B/DQMIO']]. */
function outputDatasets(spec: WorkflowSpec): string[] | string[][] {
  const names = spec.outputs.map((o) => o.name);
  if (!spec.nestOutputs) return names;
  const nested: string[][] = [];
  names.forEach((name, i) => {
    if (i > 0 && i % 2 === 0 && hashOf(name) % 2 === 0)
      (nested[nested.length - 1] as string[]).push(name);
    else nested.push([name]);
  });
  return nested;
}

export function buildDocument(
  spec: WorkflowSpec,
  history: WorkflowHistory,
  seed: number,
): SimReqMgrDocument {
  const dn = transitionDn(spec);
  const status = history.statuses[history.statuses.length - 1] ?? 'new';
  const priority = history.priorities[history.priorities.length - 1]?.priority ?? spec.priority;
  const assigned = history.statuses.includes('assigned');
  const doc: SimReqMgrDocument = {
    _id: spec.name,
    _rev: revisionString(seed, spec.name, history.revision),
    RequestName: spec.name,
    RequestType: spec.type,
    RequestStatus: status,
    RequestString: spec.requestString,
    RequestDate: requestDate(spec.createdAt),
    Requestor: spec.requestor,
    RequestorDN: spec.requestorDn,
    RequestPriority: priority,
    InitialPriority: spec.priority,
    RequestWorkflow: `https://cmsweb.cern.ch/couchdb/reqmgr_workload_cache/${spec.name}/spec`,
    PrepID: spec.prepId,
    Campaign: spec.campaign,
    AcquisitionEra: spec.acquisitionEra,
    ProcessingString: spec.processingString,
    ProcessingVersion: spec.processingVersion,
    CMSSWVersion: spec.cmssw,
    GlobalTag: spec.globalTag,
    ScramArch: ['el8_amd64_gcc11'],
    OutputDatasets: outputDatasets(spec),
    LumiList: {},
    SizePerEvent: spec.sizePerEvent,
    TimePerEvent: spec.timePerEvent,
    Memory: 2000,
    Multicore: 1,
    RunWhitelist: [],
    RunBlacklist: [],
    BlockWhitelist: [],
    BlockBlacklist: [],
    DbsUrl: 'https://cmsweb-prod.cern.ch/dbs/prod/global/DBSReader',
    CouchURL: 'https://cmsweb.cern.ch/couchdb',
    CouchWorkloadDBName: 'reqmgr_workload_cache',
    CouchDBName: 'reqmgr_config_cache',
    ConfigCacheUrl: 'https://cmsweb.cern.ch/couchdb',
    ConfigCacheID: hexOf(32, 'config', spec.name),
    DQMUploadUrl: 'https://cmsweb.cern.ch/dqm/dev',
    EnableHarvesting: false,
    IncludeParents: false,
    DeterministicPileup: false,
    MaxMergeEvents: 20000000,
    MaxMergeSize: 4294967296,
    MinMergeSize: 2147483648,
    MaxRSS: 2411724,
    MaxVSize: 20411724,
    MaxWaitTime: 86400,
    Comments: { WorkFlowDesc: [], CheckList: [] },
    Override: {
      'eos-lfn-prefix': 'root://eoscms.cern.ch//eos/cms/store/logs/prod/recent/PRODUCTION',
    },
    ChainParentageMap: {},
    OutputModulesLFNBases: spec.outputs.map((o) => o.layout.lfnBase.replace(/\/[^/]+$/, '')),
    RequestTransition: history.statuses.map((s, i) => ({
      Status: s,
      UpdateTime: history.times[i] ?? spec.createdAt,
      DN: dn,
    })),
    PriorityTransition: [
      { Priority: spec.priority, UpdateTime: spec.createdAt, DN: dn },
      ...history.priorities.map(({ priority: p, time }) => ({
        Priority: p,
        UpdateTime: time,
        DN: dn,
      })),
    ],
    ...(assigned
      ? assignmentFields(
          Rng.of(seed, 'assignment', spec.index),
          spec.kind === 'relval' ? 'relval' : 'production',
        )
      : { Team: '', SiteWhitelist: [] }),
    ...spec.top,
  };
  if (spec.chain !== undefined) {
    doc[spec.chain.key] = spec.chain.tasks.length;
    spec.chain.tasks.forEach((task, i) => {
      doc[`${spec.chain?.key === 'TaskChain' ? 'Task' : 'Step'}${i + 1}`] = structuredClone(task);
    });
  }
  if (hasInputStatistics(history.statuses, history.statuses.length)) {
    const fate = hashOf(seed, 'gwq', spec.name) % 100;
    // WMCore #5969/#5486: the statistics are occasionally missing for good, or doubled.
    if (fate >= 2) {
      const stats = inputStatistics(spec, seed);
      const factor = fate === 2 ? 2 : 1;
      doc.TotalInputEvents = stats.TotalInputEvents * factor;
      doc.TotalInputLumis = stats.TotalInputLumis * factor;
      doc.TotalInputFiles = stats.TotalInputFiles * factor;
      doc.TotalEstimatedJobs = stats.TotalEstimatedJobs * factor;
    }
  }
  doc._attachments = {
    spec: {
      content_type: 'application/json',
      revpos: 2,
      digest: `md5-${Buffer.from(hexOf(32, 'spec', spec.name), 'hex').toString('base64')}`,
      length: 40000 + (hashOf(spec.name) % 20000),
      stub: true,
    },
  };
  // The spec is cached and shared: hand out a copy nobody can corrupt it through.
  return structuredClone(doc);
}
