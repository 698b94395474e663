/**
 * The two steps of an update, for a batch of workflows (docs/update-run.md#overview):
 * rebuild their documents from ReqMgr2, and recalculate their event history from DBS.
 * Upstream answers come through the run's LookupResolver; writes are bulk
 * read-modify-writes that re-apply the change when a concurrent writer got there first, so
 * nothing is lost. A CouchDB request of a batch that CouchDB refuses as a whole is narrowed
 * down to the workflows it fails for (updater/narrowing.ts); those fail, the others go on.
 */
import { CouchError } from '../couch/errors.js';
import type { WriteOutcome } from '../couch/documents.js';
import type { WorkflowRepository } from '../couch/workflows.js';
import type { StoredWorkflow, WorkflowDocument } from '../workflow/documents.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  appendHistory,
  buildHistoryEntry,
  historyLookups,
  historySummaryLookups,
} from './history.js';
import type { LookupResolver } from './lookup-resolver.js';
import { isLumisMode } from '../workflow/lumis-mode.js';
import { callNarrowing } from './narrowing.js';
import { parseReqMgrDocument, type ReqMgrDocument } from './reqmgr-document.js';
import type { UpdaterUpstream } from './upstream-port.js';
import {
  buildWorkflowDocument,
  documentChanged,
  documentLookups,
  type BuiltWorkflowDocument,
} from './workflow-document.js';

export interface StepContext {
  upstream: UpdaterUpstream;
  resolver: LookupResolver;
  workflows: WorkflowRepository;
  logger: Logger;
  /** Unix seconds, for LastUpdate and history entries. */
  now: () => number;
  /** Awaited before workflow documents are written, with their names. */
  beforeWrite?: (names: string[]) => Promise<void>;
  /** False for a workflow that must not be written any more this run (it failed in it). */
  mayWrite?: (name: string) => boolean;
}

export interface DocumentStepResult {
  /** Documents written because they changed. */
  written: string[];
  unchanged: string[];
  /** ReqMgr2 has no such request (any more): removed here too. */
  removed: string[];
  failed: Map<string, string>;
}

/** Step 2: rebuild and write (only if changed) the documents of `names`. */
export async function updateDocuments(
  names: readonly string[],
  ctx: StepContext,
): Promise<DocumentStepResult> {
  const result: DocumentStepResult = { written: [], unchanged: [], removed: [], failed: new Map() };
  const fetched = await Promise.all(
    names.map(async (name) => ({ name, outcome: await fetchRequest(ctx.upstream, name) })),
  );

  const parsed = new Map<string, ReqMgrDocument>();
  for (const { name, outcome } of fetched) {
    if (outcome.kind === 'gone') result.removed.push(name);
    else if (outcome.kind === 'failed') result.failed.set(name, outcome.reason);
    else if (outcome.doc.RequestName !== name)
      result.failed.set(
        name,
        `ReqMgr2 answered for ${name} with the document of ${outcome.doc.RequestName}`,
      );
    else parsed.set(name, outcome.doc);
  }
  if (result.removed.length > 0) {
    const deletion = await deleteWorkflows(result.removed, ctx.workflows);
    result.removed = [...deletion.deleted, ...deletion.absent];
    for (const [name, reason] of deletion.failed) result.failed.set(name, reason);
  }

  await ctx.resolver.resolve([...parsed.values()].flatMap(documentLookups));
  const built = new Map<string, BuiltWorkflowDocument>();
  for (const [name, doc] of parsed) {
    try {
      const { document, warnings } = buildWorkflowDocument(doc, ctx.resolver.answers);
      for (const warning of warnings) ctx.logger.info({ workflow: name }, warning);
      built.set(name, document);
    } catch (err) {
      result.failed.set(name, errorMessage(err));
    }
  }

  const time = ctx.now();
  const skipped = new Set<string>();
  const writes = await writeWorkflows(
    [...built.keys()],
    ctx,
    (name, current) => {
      if (ctx.mayWrite?.(name) === false) {
        skipped.add(name);
        return undefined;
      }
      const document = {
        ...(built.get(name) as BuiltWorkflowDocument),
        EventNumberHistory: current?.EventNumberHistory ?? [],
      };
      return documentChanged(current, document)
        ? ({ ...document, LastUpdate: time } satisfies WorkflowDocument)
        : undefined;
    },
    'writing the document',
  );
  for (const name of writes.written) result.written.push(name);
  for (const [name, reason] of writes.failed) result.failed.set(name, reason);
  for (const name of built.keys()) {
    if (!writes.written.includes(name) && !writes.failed.has(name) && !skipped.has(name))
      result.unchanged.push(name);
  }
  return result;
}

type FetchOutcome =
  { kind: 'ok'; doc: ReqMgrDocument } | { kind: 'gone' } | { kind: 'failed'; reason: string };

/** The ReqMgr2 document of `name`, parsed; `gone` when ReqMgr2 has none. */
export async function fetchRequest(upstream: UpdaterUpstream, name: string): Promise<FetchOutcome> {
  let raw: unknown;
  try {
    raw = await upstream.request(name);
  } catch (err) {
    if ((err as { notFound?: boolean }).notFound === true) return { kind: 'gone' };
    return { kind: 'failed', reason: errorMessage(err) };
  }
  try {
    return { kind: 'ok', doc: parseReqMgrDocument(raw) };
  } catch (err) {
    return { kind: 'failed', reason: errorMessage(err) };
  }
}

export interface HistoryStepResult {
  /** Stored workflows whose history was recalculated (names not stored are skipped). */
  recalculated: number;
  /** Workflows that got a new history entry. */
  appended: string[];
  failed: Map<string, string>;
}

/** Step 3: a new history entry for each stored workflow of `names` whose DBS numbers changed. */
export async function recalculateHistories(
  names: readonly string[],
  ctx: StepContext,
): Promise<HistoryStepResult> {
  const result: HistoryStepResult = { recalculated: 0, appended: [], failed: new Map() };
  const stored = await readWorkflows(names, ctx.workflows);
  for (const [name, reason] of stored.failed) result.failed.set(name, reason);
  const docs = [...stored.found.values()];
  const datasetsOf = (doc: StoredWorkflow) =>
    (doc.OutputDatasets ?? []).filter((d): d is string => typeof d === 'string');

  await ctx.resolver.resolve(docs.flatMap((doc) => historyLookups(datasetsOf(doc))));
  const summaryLookups = docs.flatMap((doc) => {
    try {
      return historySummaryLookups(datasetsOf(doc), ctx.resolver.answers);
    } catch {
      return []; // its datasetlist answer failed: reported below, when its entry cannot be built
    }
  });
  await ctx.resolver.resolve(summaryLookups);

  const time = ctx.now();
  const entries = new Map<
    string,
    { entry: ReturnType<typeof buildHistoryEntry>; lumisMode: boolean }
  >();
  for (const doc of docs) {
    const lumisMode = isLumisMode(doc);
    try {
      entries.set(doc._id, {
        entry: buildHistoryEntry(
          { outputDatasets: datasetsOf(doc), lumisMode, time },
          ctx.resolver.answers,
        ),
        lumisMode,
      });
    } catch (err) {
      result.failed.set(doc._id, errorMessage(err));
    }
  }

  const writes = await writeWorkflows(
    [...entries.keys()],
    ctx,
    (name, current) => {
      if (!current) return undefined; // deleted meanwhile
      if (ctx.mayWrite?.(name) === false) return undefined;
      const { entry, lumisMode } = entries.get(name) as {
        entry: ReturnType<typeof buildHistoryEntry>;
        lumisMode: boolean;
      };
      const update = appendHistory(current.EventNumberHistory ?? [], entry, lumisMode);
      return update.changed
        ? { ...current, EventNumberHistory: update.history, LastUpdate: time }
        : undefined;
    },
    'writing the history',
  );
  result.recalculated = entries.size;
  result.appended.push(...writes.written);
  for (const [name, reason] of writes.failed) result.failed.set(name, reason);
  return result;
}

/**
 * The stored workflows, other than `names` and `exclude`, sharing an output dataset with
 * one of them; sorted. Excluding the workflows other batches of the same page work on
 * makes the answer independent of how far those batches have got.
 */
export async function siblingsOf(
  names: readonly string[],
  workflows: WorkflowRepository,
  exclude: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const stored = await workflows.getMany(names);
  const datasets = [...stored.values()].flatMap((doc) =>
    (doc.OutputDatasets ?? []).filter((d): d is string => typeof d === 'string'),
  );
  const siblings = new Set(
    [...(await workflows.namesByKeys('outputDatasets', datasets)).values()].flat(),
  );
  for (const name of names) siblings.delete(name);
  for (const name of exclude) siblings.delete(name);
  return [...siblings].sort();
}

/**
 * Deletes the stored workflows among `names` (`deleted`; `absent`: not stored here); a
 * deletion CouchDB refuses fails that workflow.
 */
export async function deleteWorkflows(
  names: readonly string[],
  workflows: WorkflowRepository,
): Promise<{ deleted: string[]; absent: string[]; failed: Map<string, string> }> {
  const outcomes = await perWorkflow(names, (chunk) => workflows.deleteMany(chunk));
  const deleted: string[] = [];
  const failed = new Map<string, string>();
  for (const [name, reason] of outcomes.failed)
    failed.set(name, `deleting the document failed: ${reason}`);
  for (const outcome of outcomes.results.flat()) {
    if (outcome.ok) deleted.push(outcome.id);
    else failed.set(outcome.id, `deleting the document failed: ${outcome.error} ${outcome.reason}`);
  }
  const absent = names.filter((name) => !failed.has(name) && !deleted.includes(name));
  return { deleted, absent, failed };
}

/** `_all_docs` of a batch, narrowed to the workflows whose own read CouchDB refuses. */
async function readWorkflows(
  names: readonly string[],
  workflows: WorkflowRepository,
): Promise<{ found: Map<string, StoredWorkflow>; failed: Map<string, string> }> {
  const outcomes = await perWorkflow(names, (chunk) => workflows.getMany(chunk));
  const found = new Map<string, StoredWorkflow>();
  for (const part of outcomes.results) for (const [name, doc] of part) found.set(name, doc);
  const failed = new Map<string, string>();
  for (const [name, reason] of outcomes.failed)
    failed.set(name, `reading the stored document failed: ${reason}`);
  return { found, failed };
}

/** A read-modify-write of a batch (`_all_docs` + `_bulk_docs`), narrowed as above. */
async function writeWorkflows(
  names: readonly string[],
  ctx: StepContext,
  update: (name: string, current: StoredWorkflow | undefined) => StoredWorkflow | undefined,
  what: string,
): Promise<{ written: string[]; failed: Map<string, string> }> {
  const outcomes = await perWorkflow(names, (chunk) =>
    ctx.workflows.upsertMany(chunk, update, { beforeWrite: ctx.beforeWrite }),
  );
  const written: string[] = [];
  const failed = new Map<string, string>();
  for (const [name, reason] of outcomes.failed) failed.set(name, `${what} failed: ${reason}`);
  for (const outcome of outcomes.results.flat() as WriteOutcome[]) {
    if (outcome.ok) written.push(outcome.id);
    else failed.set(outcome.id, `${what} failed: ${outcome.error} ${outcome.reason}`);
  }
  return { written, failed };
}

/**
 * One CouchDB request for a batch of workflows. When CouchDB refuses it as a whole (an
 * answer with an error status), it is split until the workflows it fails for are found;
 * any other failure (CouchDB unreachable, the run's own checkpoint) ends the run as before.
 */
async function perWorkflow<R>(
  names: readonly string[],
  call: (chunk: string[]) => Promise<R>,
): Promise<{ results: R[]; failed: Map<string, string> }> {
  if (names.length === 0) return { results: [], failed: new Map() };
  const settled = await callNarrowing([...names], (chunk) => call(chunk), {
    splittable: (error) => error instanceof CouchError,
  });
  const results: R[] = [];
  const failed = new Map<string, string>();
  for (const { items, outcome } of settled) {
    if (outcome.ok) results.push(outcome.value);
    else if (!(outcome.error instanceof CouchError)) throw outcome.error;
    else for (const name of items) failed.set(name, errorMessage(outcome.error));
  }
  return { results, failed };
}
