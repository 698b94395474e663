/**
 * The two steps of an update, for a batch of workflows (SPEC §5 steps 2 and 3): rebuild
 * their documents from ReqMgr2, and recalculate their event history from DBS. Upstream
 * answers come through the run's LookupResolver; writes are bulk read-modify-writes that
 * re-apply the change when a concurrent writer got there first, so nothing is lost.
 */
import type { WorkflowRepository } from '../couch/workflows.js';
import type { StoredWorkflow, WorkflowDocument } from '../couch/types.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  appendHistory,
  buildHistoryEntry,
  historyLookups,
  historySummaryLookups,
} from './history.js';
import type { LookupResolver } from './lookup-resolver.js';
import { isLumisMode } from './lumis-mode.js';
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
  if (result.removed.length > 0) await ctx.workflows.deleteMany(result.removed);

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
  const writes = await ctx.workflows.upsertMany(
    [...built.keys()],
    (name, current) => {
      const document = {
        ...(built.get(name) as BuiltWorkflowDocument),
        EventNumberHistory: current?.EventNumberHistory ?? [],
      };
      return documentChanged(current, document)
        ? ({ ...document, LastUpdate: time } satisfies WorkflowDocument)
        : undefined;
    },
    { beforeWrite: ctx.beforeWrite },
  );
  const writtenOrFailed = new Set<string>();
  for (const outcome of writes) {
    writtenOrFailed.add(outcome.id);
    if (outcome.ok) result.written.push(outcome.id);
    else
      result.failed.set(
        outcome.id,
        `writing the document failed: ${outcome.error} ${outcome.reason}`,
      );
  }
  for (const name of built.keys()) if (!writtenOrFailed.has(name)) result.unchanged.push(name);
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
  const stored = await ctx.workflows.getMany(names);
  const result: HistoryStepResult = { recalculated: 0, appended: [], failed: new Map() };
  const docs = [...stored.values()];
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

  const writes = await ctx.workflows.upsertMany(
    [...entries.keys()],
    (name, current) => {
      if (!current) return undefined; // deleted meanwhile
      const { entry, lumisMode } = entries.get(name) as {
        entry: ReturnType<typeof buildHistoryEntry>;
        lumisMode: boolean;
      };
      const update = appendHistory(current.EventNumberHistory ?? [], entry, lumisMode);
      return update.changed
        ? { ...current, EventNumberHistory: update.history, LastUpdate: time }
        : undefined;
    },
    { beforeWrite: ctx.beforeWrite },
  );
  result.recalculated = entries.size;
  for (const outcome of writes) {
    if (outcome.ok) result.appended.push(outcome.id);
    else
      result.failed.set(
        outcome.id,
        `writing the history failed: ${outcome.error} ${outcome.reason}`,
      );
  }
  return result;
}

/** The stored workflows, other than `names`, sharing an output dataset with one of them. */
export async function siblingsOf(
  names: readonly string[],
  workflows: WorkflowRepository,
): Promise<string[]> {
  const stored = await workflows.getMany(names);
  const datasets = [...stored.values()].flatMap((doc) =>
    (doc.OutputDatasets ?? []).filter((d): d is string => typeof d === 'string'),
  );
  const siblings = new Set(
    [...(await workflows.namesByKeys('outputDatasets', datasets)).values()].flat(),
  );
  for (const name of names) siblings.delete(name);
  return [...siblings];
}
