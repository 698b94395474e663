/**
 * The static description of one generated workflow: everything about it that does not
 * change with simulated time. Derived from (seed, index, creation time) alone, so it is
 * never stored; the world keeps only a few numbers per workflow and regenerates this.
 */
import type { FileLayout } from '../dbs-content.js';
import type { StatusPathName } from '../statuses.js';

export type WorkflowKind =
  | 'mcm-taskchain'
  | 'mcm-stepchain'
  | 'montecarlo'
  | 'legacy-redigi'
  | 'rereco'
  | 'rereco-taskchain'
  | 'relval'
  | 'dqmharvest'
  | 'validation'
  | 'resubmission'
  | 'resubmission-orphan';

export type LumiMask = Record<string, Array<[number, number]>>;

/** One output dataset and how much of the workflow's expected events it ends up holding. */
export interface OutputPlan {
  name: string;
  tier: string;
  era: string;
  version: number;
  dataType: 'mc' | 'data';
  layout: FileLayout;
  /** False for datasets this workflow writes into but does not create (ACDC), or never injected. */
  produced: boolean;
}

/** The dataset a workflow reads, with its lumi mask (`{}` = everything). */
export interface InputPlan {
  name: string;
  /** True when the dataset exists only for this workflow (its DBS record derives from it). */
  own: boolean;
  era: string;
  dataType: 'mc' | 'data';
  layout: FileLayout;
  mask: LumiMask;
  createdAt: number;
}

export interface ChainPlan {
  key: 'TaskChain' | 'StepChain';
  /** The Task<N>/Step<N> dictionaries, in order. */
  tasks: Array<Record<string, unknown>>;
}

export interface ParentRef {
  /** Index of the parent in the world; undefined when the parent was never in it. */
  index: number | undefined;
  name: string;
  type: string;
}

export interface WorkflowSpec {
  index: number;
  kind: WorkflowKind;
  name: string;
  requestString: string;
  requestor: string;
  requestorDn: string;
  type: string;
  prepId: string | null;
  campaign: string;
  acquisitionEra: string | Record<string, string>;
  processingString: string | Record<string, string>;
  processingVersion: number;
  cmssw: string;
  globalTag: string;
  chain: ChainPlan | undefined;
  /** Kind-specific top-level fields (FilterEfficiency, InputDataset, LumiList, ACDC fields...). */
  top: Record<string, unknown>;
  outputs: OutputPlan[];
  /** Old (ReqMgr1-era) documents list OutputDatasets as a list of lists. */
  nestOutputs: boolean;
  input: InputPlan | undefined;
  path: StatusPathName;
  priority: number;
  sizePerEvent: number;
  timePerEvent: number;
  /** Events requested after filtering (MC from scratch), undefined when the input decides. */
  requestNumEvents: number | undefined;
  filterEfficiency: number;
  eventsPerLumi: number;
  parent: ParentRef | undefined;
  resubmissionCount: number;
  createdAt: number;
  /** Style of `RequestTransition[].DN` in this document. */
  dnStyle: 'dn' | 'empty' | 'unknown' | 'null';
}

/** Gives the generator access to earlier workflows (a Resubmission clones its parent). */
export interface SpecSource {
  readonly seed: number;
  spec(index: number): WorkflowSpec | undefined;
}
