/**
 * How big each benchmark runs at each scale. `default` must finish within 10 minutes on
 * a 2-core machine with the embedded CouchDB (pouchdb-server builds views at ~1,500
 * documents/s per view); `large` is the size the issue names; `small` is a smoke run.
 */
export const SCALE_NAMES = ['small', 'default', 'large'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface Scale {
  update: {
    /** Workflows in the simulated world, all but a few (see `dbsModifiedShare`) active in WMStats. */
    workflows: number;
    latencyMs: number;
    concurrencies: readonly number[];
    /** Share of workflows the incremental run finds changed. */
    changedShare: number;
    /** Workflows of the runs at the shipped defaults (suite `defaults`). */
    defaultsWorkflows: number;
    /**
     * Share of workflows, not active in WMStats and unchanged in ReqMgr2, one of whose
     * datasets gains files before the incremental run: only DBS's list of modified datasets
     * leads the run to them (docs/update-run.md#recalculation-sets).
     */
    dbsModifiedShare: number;
  };
  website: {
    /** Workflows written straight into CouchDB. */
    workflows: number;
    historyEntries: number;
    connections: number;
    durationSeconds: number;
  };
  memory: {
    /** Rows of the ReqMgr2 `_changes` feed (one workflow each). */
    feedRows: number;
    /** Peak RSS target of the updater, in MB. */
    targetMb: number;
  };
  deploy: {
    /** On the embedded CouchDB (pouchdb-server builds views at ~1,500 documents/s each). */
    workflows: number;
    /** On a CouchDB given by URL (Apache CouchDB builds a design document's views together, ~700 documents/s). */
    workflowsOnCouchDB: number;
    /** Concurrent readers querying the live views while the deploy runs. */
    readers: number;
  };
  dashboards: {
    /** Workflows written straight into CouchDB. */
    workflows: number;
    historyEntries: number;
    /** Share of workflows an update run's writes change (each round). */
    changedShare: number;
    /** Update runs measured without the dashboards view before it is deployed, and again after it is deleted; twice as many with it. */
    writeRounds: number;
    connections: number;
    durationSeconds: number;
  };
}

export const SCALES: Record<ScaleName, Scale> = {
  small: {
    update: {
      workflows: 100,
      latencyMs: 50,
      concurrencies: [1, 4, 16],
      changedShare: 0.05,
      defaultsWorkflows: 200,
      dbsModifiedShare: 0.02,
    },
    website: { workflows: 2_000, historyEntries: 10, connections: 32, durationSeconds: 3 },
    memory: { feedRows: 2_000, targetMb: 200 },
    deploy: { workflows: 1_000, workflowsOnCouchDB: 2_000, readers: 4 },
    dashboards: {
      workflows: 1_000,
      historyEntries: 10,
      changedShare: 0.05,
      writeRounds: 1,
      connections: 32,
      durationSeconds: 3,
    },
  },
  default: {
    update: {
      workflows: 500,
      latencyMs: 50,
      concurrencies: [1, 4, 16],
      changedShare: 0.05,
      defaultsWorkflows: 2_000,
      dbsModifiedShare: 0.02,
    },
    website: { workflows: 20_000, historyEntries: 10, connections: 32, durationSeconds: 10 },
    memory: { feedRows: 10_000, targetMb: 200 },
    deploy: { workflows: 5_000, workflowsOnCouchDB: 50_000, readers: 4 },
    dashboards: {
      workflows: 5_000,
      historyEntries: 10,
      changedShare: 0.05,
      writeRounds: 2,
      connections: 32,
      durationSeconds: 5,
    },
  },
  large: {
    update: {
      workflows: 20_000,
      latencyMs: 50,
      concurrencies: [1, 4, 16],
      changedShare: 0.05,
      defaultsWorkflows: 20_000,
      dbsModifiedShare: 0.02,
    },
    website: { workflows: 200_000, historyEntries: 10, connections: 32, durationSeconds: 20 },
    memory: { feedRows: 1_000_000, targetMb: 200 },
    deploy: { workflows: 200_000, workflowsOnCouchDB: 200_000, readers: 4 },
    dashboards: {
      workflows: 200_000,
      historyEntries: 10,
      changedShare: 0.05,
      writeRounds: 2,
      connections: 32,
      durationSeconds: 20,
    },
  },
};
