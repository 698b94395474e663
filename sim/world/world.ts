/**
 * The simulated upstream world: every ReqMgr2 request, the `reqmgr_workload_cache` change
 * sequence, and what DBS holds. Per workflow it keeps a handful of numbers (creation time,
 * how far along its status path it is, when it last changed); documents, names and
 * datasets are regenerated from (seed, index) when asked for. Compact hash indexes answer
 * "which workflow is called X / has PrepID P / produces dataset D".
 */
import { allRawDatasets } from '../generator/rereco.js';
import { generateSpec } from '../generator/index.js';
import type { InputPlan, SpecSource, WorkflowKind, WorkflowSpec } from '../generator/types.js';
import type { AccessType, DatasetState } from '../dbs-content.js';
import {
  buildDocument,
  revisionString,
  type SimReqMgrDocument,
  type WorkflowHistory,
} from '../document.js';
import { hexOf, Rng } from '../prng.js';
import {
  ACTIVE_STATUS,
  STATUS_PATHS,
  hasInputStatistics,
  isArchived,
  meanDwellSeconds,
  type StatusPathName,
} from '../statuses.js';
import { DN_WMAGENT } from '../vocabulary.js';
import { ChangesLog, type DocRef } from './changes-log.js';
import { datasetId, inputDatasetState, producedDatasetState } from './dataset-states.js';
import { EditedDataset, type FileAddition } from './edited-datasets.js';
import { HashIndex } from './hash-index.js';
import { LruCache } from './lru.js';
import { initialCreationTime, initialTransitionTimes } from './timeline.js';

export type { FileAddition } from './edited-datasets.js';

export interface WorldOptions {
  seed: number;
  workflows: number;
  /** How many of the initial workflows are still in an active (non-archived) status. */
  active: number;
  /** Simulated epoch seconds at the start; default 2025-01-01T00:00:00Z. */
  startTime?: number;
}

export interface AdvanceSummary {
  from: number;
  to: number;
  transitions: number;
  created: number;
  deleted: number;
  priorityChanges: number;
}

export interface WorkflowSummary {
  name: string;
  /** Generated workflows have an index; documents added with upsertRequest may not. */
  index: number | undefined;
  kind: WorkflowKind | 'custom';
  type: string;
  status: string;
  prepId: string | null;
  deleted: boolean;
  active: boolean;
  outputDatasets: string[];
  inputDataset: string | undefined;
  /** OriginalRequestName of a Resubmission. */
  parentName: string | undefined;
}

export interface DatasetSetting {
  accessType?: AccessType;
  dataType?: 'mc' | 'data';
  /** Replaces the files with this many (exact events/lumis per file). */
  files?: number;
  eventsPerFile?: number;
  lumisPerFile?: number;
  run?: number;
  /** How many of the new files are invalid (the last ones). */
  invalidFiles?: number;
  /** Defaults to now (the record changed). */
  lastModified?: number;
}

export type DocumentLookup =
  { state: 'present'; doc: SimReqMgrDocument } | { state: 'deleted' } | { state: 'missing' };

export interface SimChangeRow {
  seq: number;
  id: string;
  rev: string;
  deleted: boolean;
  ref: DocRef;
}

export interface RequestQuery {
  names?: string[];
  prepIds?: string[];
  statuses?: string[];
  types?: string[];
}

interface Overlay {
  /** Times of the transitions made after the initial generation. */
  times: number[];
  priorities: Array<{ priority: number; time: number }>;
  /** Extra revisions (deletion). */
  bumps: number;
}

interface CustomDocument {
  id: string;
  doc: Record<string, unknown>;
  revision: number;
  deleted: boolean;
}

const INPUT_SLOT = 15;
const SLOTS = 16;
const FLAG_DELETED = 1;
const FLAG_CUSTOM = 2;
const DEFAULT_START = Date.UTC(2025, 0, 1) / 1000;
const DATASET_NAME = /^\/[a-zA-Z0-9\-_]{1,99}\/[a-zA-Z0-9.\-_]{1,199}\/[A-Z0-9-]{1,99}$/;
const DESIGN_ID = '_design/ReqMgr';
const PATH_NAMES = Object.keys(STATUS_PATHS) as StatusPathName[];
/** Mean life of a request from `new` to archived, used to keep the active population stable. */
const MEAN_LIFETIME = 20 * 86400;
const DELETABLE_STATUSES = new Set(['new', 'assignment-approved']);

export class World {
  readonly seed: number;
  readonly startTime: number;
  readonly changes: ChangesLog;
  private time: number;
  private count = 0;
  private readonly initialCount: number;
  private createdAt = new Uint32Array(1024);
  private steps = new Uint8Array(1024);
  private initialSteps = new Uint8Array(1024);
  private lastChange = new Uint32Array(1024);
  private flags = new Uint8Array(1024);
  /** Index into PATH_NAMES of each workflow's status path. */
  private pathIds = new Uint8Array(1024);
  /** Request names are kept (≈ 90 bytes each): `_changes` lists them all at once. */
  private readonly requestNames: string[] = [];
  private readonly overlays = new Map<number, Overlay>();
  /** Documents replaced by upsertRequest: generated (by index) or new (extras, ref < 0). */
  private readonly customByIndex = new Map<number, CustomDocument>();
  private readonly extras: CustomDocument[] = [];
  private readonly extraByName = new Map<string, number>();
  private readonly active = new Set<number>();
  private readonly names: HashIndex;
  private readonly prepIds: HashIndex;
  private readonly datasetIndex: HashIndex;
  private readonly specs = new LruCache<number, WorkflowSpec>(2048);
  private readonly rawDatasets = new Map<string, InputPlan>();
  private readonly edited = new Map<string, EditedDataset>();
  private readonly targetActive: number;
  private advances = 0;
  private readonly source: SpecSource;

  constructor(options: WorldOptions) {
    if (!Number.isInteger(options.workflows) || options.workflows < 0)
      throw new RangeError(`workflows must be a whole number >= 0, got ${options.workflows}`);
    if (
      !Number.isInteger(options.active) ||
      options.active < 0 ||
      options.active > options.workflows
    ) {
      throw new RangeError(
        `active must be a whole number between 0 and workflows (${options.workflows}), got ${options.active}`,
      );
    }
    this.seed = options.seed;
    this.startTime = options.startTime ?? DEFAULT_START;
    this.time = this.startTime;
    this.initialCount = options.workflows;
    this.targetActive = Math.max(1, options.active);
    this.changes = new ChangesLog(hexOf(16, this.seed, 'epoch'));
    this.names = new HashIndex(options.workflows);
    this.prepIds = new HashIndex(options.workflows);
    this.datasetIndex = new HashIndex(options.workflows * 4);
    this.source = {
      seed: this.seed,
      spec: (index) => (index >= 0 && index < this.count ? this.specOf(index) : undefined),
    };
    for (const raw of allRawDatasets()) this.rawDatasets.set(raw.name, raw);
    this.generateInitial(options.workflows, options.active);
  }

  now(): number {
    return this.time;
  }

  /** The current update sequence as `_changes` would give it in `last_seq`. */
  lastSeq(): string {
    return this.changes.encode(this.changes.currentSeq);
  }

  /** Requests ever created, generated or added (deleted ones included, the design document not). */
  workflowCount(): number {
    return this.count + this.extras.length - 1;
  }

  // ---- documents -------------------------------------------------------------------

  lookup(name: string): DocumentLookup {
    const extra = this.extraByName.get(name);
    if (extra !== undefined) {
      const custom = this.extras[extra] as CustomDocument;
      return custom.deleted
        ? { state: 'deleted' }
        : { state: 'present', doc: this.customDocument(custom) };
    }
    const index = this.indexOf(name);
    if (index === undefined) return { state: 'missing' };
    if (this.isDeleted(index)) return { state: 'deleted' };
    return { state: 'present', doc: this.documentOf(index) };
  }

  request(name: string): SimReqMgrDocument | undefined {
    const found = this.lookup(name);
    return found.state === 'present' ? found.doc : undefined;
  }

  /** Requests matching every given criterion (each a list of accepted values), not deleted. */
  findRequests(query: RequestQuery): SimReqMgrDocument[] {
    let docs: SimReqMgrDocument[];
    if (query.names !== undefined) {
      docs = query.names
        .map((name) => this.request(name))
        .filter((doc): doc is SimReqMgrDocument => doc !== undefined);
    } else if (query.prepIds !== undefined) {
      docs = query.prepIds.flatMap((prepId) => this.requestsWithPrepId(prepId));
    } else {
      docs = this.scanRequests(query);
    }
    return docs.filter(
      (doc) =>
        (query.prepIds === undefined || query.prepIds.includes(doc.PrepID as string)) &&
        (query.statuses === undefined || query.statuses.includes(doc.RequestStatus as string)) &&
        (query.types === undefined || query.types.includes(doc.RequestType as string)),
    );
  }

  /** What WMStats caches: every request in an ACTIVE_STATUS. */
  activeRequests(): Array<{ name: string; document: () => SimReqMgrDocument }> {
    const out: Array<{ name: string; document: () => SimReqMgrDocument }> = [];
    for (const index of [...this.active].sort((a, b) => a - b)) {
      out.push({
        name: this.requestNames[index] as string,
        document: () => this.documentOf(index),
      });
    }
    for (const custom of [...this.customByIndex.values(), ...this.extras]) {
      if (!custom.deleted && ACTIVE_STATUS.has(custom.doc.RequestStatus as string)) {
        out.push({ name: custom.id, document: () => this.customDocument(custom) });
      }
    }
    return out;
  }

  /** `_changes` rows after `since`: each document once, at its latest change. */
  changesSince(
    since: number,
    limit = Infinity,
  ): { rows: SimChangeRow[]; lastSeq: number; pending: number } {
    const { rows, lastSeq, pending } = this.changes.since(since, limit);
    return {
      rows: rows.map(({ seq, ref }) => ({ seq, ref, ...this.changeOf(ref) })),
      lastSeq,
      pending,
    };
  }

  documentOfRef(ref: DocRef): SimReqMgrDocument | undefined {
    if (ref < 0) {
      const custom = this.extras[-1 - ref] as CustomDocument;
      return custom.deleted ? undefined : this.customDocument(custom);
    }
    return this.isDeleted(ref) ? undefined : this.documentOf(ref);
  }

  /** Every request (generated and added), for tests that need one of a given kind. */
  *list(): Generator<WorkflowSummary> {
    for (let index = 0; index < this.count; index++) yield this.summaryOf(index);
    for (const custom of this.extras.slice(1)) yield customSummary(custom);
  }

  describe(name: string): WorkflowSummary | undefined {
    const extra = this.extraByName.get(name);
    if (extra !== undefined && extra > 0)
      return customSummary(this.extras[extra] as CustomDocument);
    const index = this.indexOf(name);
    return index === undefined ? undefined : this.summaryOf(index);
  }

  // ---- DBS ---------------------------------------------------------------------------

  dataset(name: string): DatasetState | undefined {
    const edited = this.edited.get(name);
    if (edited !== undefined) return edited.state();
    const raw = this.rawDatasets.get(name);
    if (raw !== undefined) return inputDatasetState(raw);
    return this.resolveGenerated(name);
  }

  /** Datasets whose record changed strictly after `minLdate` (DBS `datasets?min_ldate`). */
  datasetsModifiedAfter(minLdate: number): DatasetState[] {
    const found = new Map<string, DatasetState>();
    for (const edited of this.edited.values()) {
      if (edited.record.lastModified > minLdate) found.set(edited.record.name, edited.state());
    }
    for (const raw of this.rawDatasets.values()) {
      if (!this.edited.has(raw.name) && raw.createdAt > minLdate)
        found.set(raw.name, inputDatasetState(raw));
    }
    for (let index = 0; index < this.count; index++) {
      // A dataset's record changes only with its producer's transitions: skip quiet workflows.
      if ((this.lastChange[index] as number) <= minLdate) continue;
      const spec = this.specOf(index);
      const names = spec.outputs.filter((o) => o.produced).map((o) => o.name);
      if (spec.input?.own === true) names.push(spec.input.name);
      let history: WorkflowHistory | undefined;
      for (const name of names) {
        if (found.has(name) || this.edited.has(name)) continue;
        const owner = this.ownerOf(name);
        if (owner?.index !== index) continue;
        history ??= this.historyOf(index);
        const state = this.stateOf(owner, history);
        if (state !== undefined && state.lastModified > minLdate) found.set(name, state);
      }
    }
    return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- test mutators -----------------------------------------------------------------

  /** Creates or replaces a request document (by RequestName); returns its new `_rev`. */
  upsertRequest(doc: Record<string, unknown>): string {
    const name = doc.RequestName;
    if (typeof name !== 'string' || name === '')
      throw new TypeError('upsertRequest needs a document with a RequestName string');
    const copy = structuredClone(doc);
    delete copy._rev;
    copy._id = name;
    if (typeof copy.PrepID === 'string') this.prepIds.add(copy.PrepID, this.prepIdValueOf(name));
    const index = this.indexOf(name);
    if (index !== undefined) {
      const previous = this.customByIndex.get(index);
      const revision = (previous?.revision ?? this.historyOf(index).revision) + 1;
      this.customByIndex.set(index, { id: name, doc: copy, revision, deleted: false });
      this.flags[index] = ((this.flags[index] as number) & ~FLAG_DELETED) | FLAG_CUSTOM;
      this.active.delete(index);
      this.touch(index, this.time);
      return revisionString(this.seed, name, revision);
    }
    const existing = this.extraByName.get(name);
    const k = existing ?? this.extras.length;
    const revision = (this.extras[k]?.revision ?? 0) + 1;
    this.extras[k] = { id: name, doc: copy, revision, deleted: false };
    this.extraByName.set(name, k);
    this.changes.record(-1 - k);
    return revisionString(this.seed, name, revision);
  }

  /** Deletes a request (a tombstone appears in `_changes`); false when there was none. */
  deleteRequest(name: string): boolean {
    const extra = this.extraByName.get(name);
    if (extra !== undefined) {
      const custom = this.extras[extra] as CustomDocument;
      if (custom.deleted) return false;
      custom.deleted = true;
      custom.revision++;
      this.changes.record(-1 - extra);
      return true;
    }
    const index = this.indexOf(name);
    if (index === undefined || this.isDeleted(index)) return false;
    this.markDeleted(index, this.time);
    return true;
  }

  setDataset(name: string, setting: DatasetSetting): DatasetState {
    if (!DATASET_NAME.test(name))
      throw new TypeError(`${name} is not a DBS dataset name (/Primary/Processed/TIER)`);
    const current = this.dataset(name);
    const record = {
      name,
      accessType: setting.accessType ?? current?.accessType ?? 'VALID',
      dataType: setting.dataType ?? current?.dataType ?? 'mc',
      createdAt: current?.createdAt ?? this.time,
      lastModified: setting.lastModified ?? this.time,
      prepId: current?.prepId ?? null,
      acquisitionEra: current?.acquisitionEra ?? (name.split('/')[2] ?? '').split('-')[0] ?? '',
      processingVersion: current?.processingVersion ?? 1,
      physicsGroup: 'NoGroup',
      createdBy: current?.createdBy ?? DN_WMAGENT,
      datasetId: datasetId(name),
    };
    const edited = new EditedDataset(
      record,
      setting.files === undefined ? (current?.files() ?? []) : [],
    );
    if (setting.files !== undefined) {
      const invalid = setting.invalidFiles ?? 0;
      const base = {
        eventsPerFile: setting.eventsPerFile,
        lumisPerFile: setting.lumisPerFile,
        run: setting.run,
      };
      edited.addFiles({ ...base, count: setting.files - invalid, valid: true }, this.time);
      edited.addFiles({ ...base, count: invalid, valid: false }, this.time);
    }
    this.edited.set(name, edited);
    return edited.state();
  }

  /**
   * Adds files to a dataset (creating it, PRODUCTION, if DBS does not know it). Its
   * `last_modification_date` becomes now: a hand edit is a change of its record, which
   * `datasets?min_ldate=` then lists (generated datasets grow without it).
   */
  addFiles(name: string, addition: FileAddition): DatasetState {
    if (!this.edited.has(name))
      this.setDataset(name, { accessType: this.dataset(name)?.accessType ?? 'PRODUCTION' });
    const edited = this.edited.get(name) as EditedDataset;
    edited.addFiles(addition, this.time);
    edited.record = { ...edited.record, lastModified: this.time };
    return edited.state();
  }

  // ---- time --------------------------------------------------------------------------

  /**
   * Moves simulated time forward: active workflows take their next status transitions,
   * priorities change, new workflows appear and a few are deleted. Deterministic given
   * the seed and the sequence of calls.
   */
  advance(duration: number): AdvanceSummary {
    if (!(duration >= 0))
      throw new RangeError(`advance needs a number of seconds >= 0, got ${duration}`);
    const seconds = Math.floor(duration);
    const from = this.time;
    const to = from + seconds;
    const rng = Rng.of(this.seed, 'advance', this.advances++, from);
    const summary: AdvanceSummary = {
      from,
      to,
      transitions: 0,
      created: 0,
      deleted: 0,
      priorityChanges: 0,
    };
    const changes: Array<{ time: number; apply: () => void }> = [];

    const activeNow = [...this.active].sort((a, b) => a - b);
    const expectedNew = (seconds * this.targetActive) / MEAN_LIFETIME;
    const expectedDeleted = expectedNew * 0.02;
    const deletions = Math.floor(expectedDeleted) + (rng.chance(expectedDeleted % 1) ? 1 : 0);
    // ReqMgr2 deletes requests that never got going (e.g. their spec could not be saved).
    const deletable = activeNow.filter((index) => DELETABLE_STATUSES.has(this.statusOf(index)));
    const victims = new Set<number>();
    for (let i = 0; i < deletions && victims.size < deletable.length; i++) {
      const victim = deletable[rng.int(0, deletable.length - 1)] as number;
      if (victims.has(victim)) continue;
      victims.add(victim);
      const when = from + rng.int(1, Math.max(1, seconds));
      summary.deleted++;
      changes.push({ time: when, apply: () => this.markDeleted(victim, when) });
    }

    for (const index of activeNow) {
      if (victims.has(index)) continue;
      const path = this.pathOf(index);
      let step = this.steps[index] as number;
      let time = from;
      const times: number[] = [];
      while (step < path.length) {
        time += Math.max(1, Math.ceil(rng.exponential(meanDwellSeconds(path[step - 1] as string))));
        if (time > to) break;
        times.push(time);
        step++;
      }
      if (times.length > 0) {
        summary.transitions += times.length;
        changes.push({
          time: times[times.length - 1] as number,
          apply: () => this.transition(index, times),
        });
      }
      if (rng.chance(1 - Math.exp(-seconds / (30 * 86400)))) {
        const when = from + rng.int(0, seconds);
        const priority = rng.pick([85000, 110000, 200000, 316000, 500000]);
        summary.priorityChanges++;
        changes.push({ time: when, apply: () => this.changePriority(index, priority, when) });
      }
    }

    const created = Math.floor(expectedNew) + (rng.chance(expectedNew % 1) ? 1 : 0);
    const creationTimes = Array.from(
      { length: created },
      () => from + rng.int(1, Math.max(1, seconds)),
    ).sort((a, b) => a - b);

    const designTouched = rng.chance(Math.min(1, seconds / (30 * 86400)));

    // Apply in time order so the change sequence follows simulated time.
    changes.sort((a, b) => a.time - b.time);
    let next = 0;
    for (const createdAt of creationTimes) {
      while (next < changes.length && (changes[next] as { time: number }).time <= createdAt)
        (changes[next++] as { apply: () => void }).apply();
      this.createWorkflow(createdAt);
      summary.created++;
    }
    while (next < changes.length) (changes[next++] as { apply: () => void }).apply();
    if (designTouched) {
      (this.extras[0] as CustomDocument).revision++;
      this.changes.record(-1);
    }
    this.time = to;
    return summary;
  }

  // ---- internals ---------------------------------------------------------------------

  private generateInitial(workflows: number, active: number): void {
    this.extras.push({ id: DESIGN_ID, doc: designDocument(), revision: 41, deleted: false });
    this.extraByName.set(DESIGN_ID, 0);
    this.changes.record(-1);
    for (let index = 0; index < workflows; index++) {
      const createdAt = initialCreationTime(this.seed, index, workflows, active, this.startTime);
      this.allocate(index, createdAt);
      const spec = this.specOf(index);
      const path = STATUS_PATHS[spec.path];
      const steps =
        index >= workflows - active
          ? Rng.of(this.seed, 'initial-step', index).int(1, path.length - 1)
          : path.length;
      this.steps[index] = steps;
      this.initialSteps[index] = steps;
      const times = initialTransitionTimes(
        this.seed,
        index,
        path,
        steps,
        createdAt,
        this.startTime - 1,
      );
      this.lastChange[index] = times[times.length - 1] ?? createdAt;
      if (!isArchived(path[steps - 1] as string)) this.active.add(index);
      this.register(index, spec);
    }
    // The feed orders documents by their latest change.
    const order = Array.from({ length: workflows }, (_, i) => i);
    order.sort((a, b) => (this.lastChange[a] as number) - (this.lastChange[b] as number) || a - b);
    for (const index of order) this.changes.record(index);
  }

  private allocate(index: number, createdAt: number): void {
    if (index >= this.createdAt.length) {
      const size = this.createdAt.length * 2;
      this.createdAt = grow(this.createdAt, size);
      this.steps = grow(this.steps, size);
      this.initialSteps = grow(this.initialSteps, size);
      this.lastChange = grow(this.lastChange, size);
      this.flags = grow(this.flags, size);
      this.pathIds = grow(this.pathIds, size);
    }
    this.createdAt[index] = createdAt;
    this.count = Math.max(this.count, index + 1);
  }

  private register(index: number, spec: WorkflowSpec): void {
    this.requestNames[index] = spec.name;
    this.pathIds[index] = PATH_NAMES.indexOf(spec.path);
    this.names.add(spec.name, index);
    if (spec.prepId !== null) this.prepIds.add(spec.prepId, index * 2);
    spec.outputs.forEach((output, slot) => {
      if (output.produced) this.datasetIndex.add(output.name, index * SLOTS + slot);
    });
    if (spec.input?.own === true)
      this.datasetIndex.add(spec.input.name, index * SLOTS + INPUT_SLOT);
  }

  private createWorkflow(createdAt: number): void {
    const index = this.count;
    this.allocate(index, createdAt);
    this.steps[index] = 1;
    this.initialSteps[index] = 1;
    const spec = this.specOf(index);
    this.register(index, spec);
    this.active.add(index);
    this.touch(index, createdAt);
  }

  private transition(index: number, times: number[]): void {
    const overlay = this.overlayOf(index);
    overlay.times.push(...times);
    this.steps[index] = (this.steps[index] as number) + times.length;
    if (isArchived(this.statusOf(index))) this.active.delete(index);
    this.touch(index, times[times.length - 1] as number);
  }

  private changePriority(index: number, priority: number, time: number): void {
    if (this.isDeleted(index) || (this.flags[index] as number) & FLAG_CUSTOM) return;
    this.overlayOf(index).priorities.push({ priority, time });
    this.touch(index, time);
  }

  private markDeleted(index: number, time: number): void {
    this.flags[index] = (this.flags[index] as number) | FLAG_DELETED;
    this.active.delete(index);
    const custom = this.customByIndex.get(index);
    if (custom !== undefined) {
      custom.revision++;
      custom.deleted = true;
    } else {
      this.overlayOf(index).bumps++;
    }
    this.touch(index, time);
  }

  private touch(index: number, time: number): void {
    this.lastChange[index] = Math.max(this.lastChange[index] as number, time);
    this.changes.record(index);
  }

  private overlayOf(index: number): Overlay {
    let overlay = this.overlays.get(index);
    if (overlay === undefined) {
      overlay = { times: [], priorities: [], bumps: 0 };
      this.overlays.set(index, overlay);
    }
    return overlay;
  }

  private pathOf(index: number): readonly string[] {
    return STATUS_PATHS[PATH_NAMES[this.pathIds[index] as number] as StatusPathName];
  }

  private statusOf(index: number): string {
    return this.pathOf(index)[(this.steps[index] as number) - 1] as string;
  }

  private revisionOf(index: number): number {
    const steps = this.steps[index] as number;
    const statuses = this.pathOf(index).slice(0, steps);
    const overlay = this.overlays.get(index);
    return (
      steps +
      1 +
      (statuses.includes('assigned') ? 1 : 0) +
      (hasInputStatistics(statuses, steps) ? 1 : 0) +
      (overlay?.priorities.length ?? 0) +
      (overlay?.bumps ?? 0)
    );
  }

  private isDeleted(index: number): boolean {
    return ((this.flags[index] as number) & FLAG_DELETED) !== 0;
  }

  private specOf(index: number): WorkflowSpec {
    let spec = this.specs.get(index);
    if (spec === undefined) {
      spec = generateSpec(this.source, index, this.createdAt[index] as number);
      this.specs.set(index, spec);
    }
    return spec;
  }

  private historyOf(index: number): WorkflowHistory {
    const spec = this.specOf(index);
    const path = this.pathOf(index);
    const endBy = index < this.initialCount ? this.startTime - 1 : spec.createdAt;
    const overlay = this.overlays.get(index);
    const initialTimes = initialTransitionTimes(
      this.seed,
      index,
      path,
      this.initialSteps[index] as number,
      spec.createdAt,
      endBy,
    );
    return {
      statuses: path.slice(0, this.steps[index] as number),
      times: [...initialTimes, ...(overlay?.times ?? [])],
      priorities: overlay?.priorities ?? [],
      revision: this.revisionOf(index),
    };
  }

  private documentOf(index: number): SimReqMgrDocument {
    const custom = this.customByIndex.get(index);
    if (custom !== undefined) return this.customDocument(custom);
    return buildDocument(this.specOf(index), this.historyOf(index), this.seed);
  }

  private customDocument(custom: CustomDocument): SimReqMgrDocument {
    return {
      ...structuredClone(custom.doc),
      _id: custom.id,
      _rev: revisionString(this.seed, custom.id, custom.revision),
    };
  }

  private indexOf(name: string): number | undefined {
    return this.names.candidates(name).find((index) => this.requestNames[index] === name);
  }

  /** Values of the PrepID index: generated workflows are even, added documents odd. */
  private prepIdValueOf(name: string): number {
    const index = this.indexOf(name);
    if (index !== undefined) return index * 2;
    return (this.extraByName.get(name) ?? this.extras.length) * 2 + 1;
  }

  private requestsWithPrepId(prepId: string): SimReqMgrDocument[] {
    const docs: SimReqMgrDocument[] = [];
    for (const value of this.prepIds.candidates(prepId).sort((a, b) => a - b)) {
      const found =
        value % 2 === 0
          ? this.documentOfRef(value / 2)
          : this.extras[(value - 1) / 2] === undefined
            ? undefined
            : this.documentOfRef(-1 - (value - 1) / 2);
      if (found !== undefined && found.PrepID === prepId) docs.push(found);
    }
    return docs;
  }

  private scanRequests(query: RequestQuery): SimReqMgrDocument[] {
    const docs: SimReqMgrDocument[] = [];
    for (let index = 0; index < this.count; index++) {
      if (this.isDeleted(index)) continue;
      if (!this.customByIndex.has(index)) {
        if (query.statuses !== undefined && !query.statuses.includes(this.statusOf(index)))
          continue;
        if (query.types !== undefined && !query.types.includes(this.specOf(index).type)) continue;
      }
      docs.push(this.documentOf(index));
    }
    for (const custom of this.extras.slice(1))
      if (!custom.deleted) docs.push(this.customDocument(custom));
    return docs;
  }

  private changeOf(ref: DocRef): { id: string; rev: string; deleted: boolean } {
    if (ref < 0) {
      const custom = this.extras[-1 - ref] as CustomDocument;
      return {
        id: custom.id,
        rev: revisionString(this.seed, custom.id, custom.revision),
        deleted: custom.deleted,
      };
    }
    const name = this.requestNames[ref] as string;
    const revision = this.customByIndex.get(ref)?.revision ?? this.revisionOf(ref);
    return {
      id: name,
      rev: revisionString(this.seed, name, revision),
      deleted: this.isDeleted(ref),
    };
  }

  private summaryOf(index: number): WorkflowSummary {
    const spec = this.specOf(index);
    const custom = this.customByIndex.get(index);
    const status =
      custom !== undefined ? String(custom.doc.RequestStatus ?? '') : this.statusOf(index);
    return {
      name: spec.name,
      index,
      kind: spec.kind,
      type: custom !== undefined ? String(custom.doc.RequestType ?? '') : spec.type,
      status,
      prepId: spec.prepId,
      deleted: this.isDeleted(index),
      active: !this.isDeleted(index) && ACTIVE_STATUS.has(status),
      outputDatasets: spec.outputs.map((o) => o.name),
      inputDataset: spec.input?.name,
      parentName: spec.parent?.name,
    };
  }

  /** The workflow whose history decides a generated dataset: its producer, else a reader owning it. */
  private ownerOf(name: string): { index: number; slot: number } | undefined {
    let producer: { index: number; slot: number } | undefined;
    let reader: number | undefined;
    for (const value of this.datasetIndex.candidates(name)) {
      const index = Math.floor(value / SLOTS);
      const slot = value % SLOTS;
      if (slot === INPUT_SLOT) {
        if ((reader === undefined || index < reader) && this.specOf(index).input?.name === name)
          reader = index;
      } else if (
        (producer === undefined || index < producer.index) &&
        this.specOf(index).outputs[slot]?.name === name
      ) {
        producer = { index, slot };
      }
    }
    return producer ?? (reader === undefined ? undefined : { index: reader, slot: INPUT_SLOT });
  }

  private stateOf(
    owner: { index: number; slot: number },
    history: WorkflowHistory,
  ): DatasetState | undefined {
    const spec = this.specOf(owner.index);
    if (owner.slot === INPUT_SLOT)
      return spec.input === undefined ? undefined : inputDatasetState(spec.input);
    const output = spec.outputs[owner.slot];
    return output === undefined
      ? undefined
      : producedDatasetState(spec, output, history, this.time, this.seed);
  }

  private resolveGenerated(name: string): DatasetState | undefined {
    const owner = this.ownerOf(name);
    return owner === undefined ? undefined : this.stateOf(owner, this.historyOf(owner.index));
  }
}

function grow<T extends Uint8Array | Uint32Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}

function customSummary(custom: CustomDocument): WorkflowSummary {
  const doc = custom.doc;
  return {
    name: custom.id,
    index: undefined,
    kind: 'custom',
    type: String(doc.RequestType ?? ''),
    status: String(doc.RequestStatus ?? ''),
    prepId: typeof doc.PrepID === 'string' ? doc.PrepID : null,
    deleted: custom.deleted,
    active: !custom.deleted && ACTIVE_STATUS.has(String(doc.RequestStatus)),
    outputDatasets: flatStrings(doc.OutputDatasets),
    inputDataset: typeof doc.InputDataset === 'string' ? doc.InputDataset : undefined,
    parentName: typeof doc.OriginalRequestName === 'string' ? doc.OriginalRequestName : undefined,
  };
}

function flatStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.flatMap(flatStrings) : [];
}

function designDocument(): Record<string, unknown> {
  return {
    language: 'javascript',
    views: {
      bystatus: {
        map: 'function(doc) { if (doc.RequestStatus) { emit(doc.RequestStatus, null); } }',
      },
      byprepid: { map: 'function(doc) { if (doc.PrepID) { emit(doc.PrepID, null); } }' },
      byoutputdataset: {
        map: 'function(doc) { if (doc.OutputDatasets) { for (var i in doc.OutputDatasets) { emit(doc.OutputDatasets[i], null); } } }',
      },
    },
  };
}
