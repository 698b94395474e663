/**
 * `--action verify` at work: every stored workflow (streamed page by page, so memory
 * stays bounded) rebuilt from what ReqMgr2 and DBS say now, with the functions the
 * update run uses, and judged (./verify.ts); then the workflows WMStats lists as active
 * that the scan did not meet. Upstream calls of a page run at once, within the limits
 * the upstream clients keep.
 */
import type { StoredWorkflow } from '../workflow/documents.js';
import type { WorkflowRepository } from '../couch/workflows.js';
import { errorMessage } from '../lib/errors.js';
import { LookupResolver } from './lookup-resolver.js';
import type { ReqMgrDocument } from './reqmgr-document.js';
import { fetchRequest } from './batch-steps.js';
import type { UpdaterUpstream } from './upstream-port.js';
import { judgeWorkflow, type UpstreamView, type WorkflowVerdict } from './verify.js';
import { buildWorkflowDocument, documentLookups } from './workflow-document.js';

export interface VerifyDependencies {
  workflows: WorkflowRepository;
  upstream: UpdaterUpstream;
}

export interface VerifyOptions {
  /** Verify this workflow only (stored or not). */
  name?: string;
  /** Verify at most this many stored workflows, in RequestName order (and no active ones missing here). */
  limit?: number;
  /** Workflows read, fetched and judged together. */
  batchSize?: number;
  /** Called with each workflow's verdict, in RequestName order within each batch. */
  onVerdict(verdict: WorkflowVerdict): void;
}

export interface VerifySummary {
  verified: number;
  matched: number;
  mismatched: number;
  /** Workflows with no problem found whose document could not be compared. */
  unverified: number;
  /** Why WMStats' list of active workflows could not be read (their history went unchecked). */
  activeListFailure?: string;
}

const DEFAULT_BATCH_SIZE = 200;

export async function verifyWorkflows(
  deps: VerifyDependencies,
  options: VerifyOptions,
): Promise<VerifySummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const summary: VerifySummary = {
    verified: 0,
    matched: 0,
    mismatched: 0,
    unverified: 0,
  };
  const activeList = readActiveList(deps.upstream);

  const judgeBatch = async (names: readonly string[], stored: Map<string, StoredWorkflow>) => {
    const [views, active] = await Promise.all([
      rebuildFromUpstream(names, deps.upstream),
      activeList,
    ]);
    for (const name of names) {
      const verdict = judgeWorkflow(
        name,
        stored.get(name),
        views.get(name) as UpstreamView,
        active.names?.has(name),
      );
      summary.verified++;
      if (verdict.problems.length > 0) summary.mismatched++;
      else if (verdict.unverified !== undefined) summary.unverified++;
      else summary.matched++;
      options.onVerdict(verdict);
    }
  };

  if (options.name !== undefined) {
    await judgeBatch([options.name], await deps.workflows.getMany([options.name]));
  } else {
    const activeNotSeen = new Set((await activeList).names);
    let remaining = options.limit ?? Infinity;
    for await (const page of deps.workflows.scan(batchSize)) {
      const docs = page.slice(0, remaining);
      for (const doc of docs) activeNotSeen.delete(doc._id);
      await judgeBatch(
        docs.map((doc) => doc._id),
        new Map(docs.map((doc) => [doc._id, doc])),
      );
      remaining -= docs.length;
      if (remaining <= 0) break;
    }
    // Active workflows the scan did not meet: stored since, or missing here.
    const missed = options.limit === undefined ? [...activeNotSeen].sort() : [];
    for (let i = 0; i < missed.length; i += batchSize) {
      const names = missed.slice(i, i + batchSize);
      await judgeBatch(names, await deps.workflows.getMany(names));
    }
  }
  summary.activeListFailure = (await activeList).failure;
  return summary;
}

async function readActiveList(
  upstream: UpdaterUpstream,
): Promise<{ names?: Set<string>; failure?: string }> {
  try {
    return { names: new Set(await upstream.activeWorkflows()) };
  } catch (err) {
    return { failure: errorMessage(err) };
  }
}

/** What the update run would build for each of `names` now (docs/workflow-document.md#fields). */
async function rebuildFromUpstream(
  names: readonly string[],
  upstream: UpdaterUpstream,
): Promise<Map<string, UpstreamView>> {
  const views = new Map<string, UpstreamView>();
  const parsed = new Map<string, ReqMgrDocument>();
  const fetched = await Promise.all(
    names.map(async (name) => ({ name, outcome: await fetchRequest(upstream, name) })),
  );
  for (const { name, outcome } of fetched) {
    if (outcome.kind === 'ok' && outcome.doc.RequestName !== name) {
      views.set(name, {
        kind: 'failed',
        reason: `ReqMgr2 answered for ${name} with the document of ${outcome.doc.RequestName}`,
      });
    } else if (outcome.kind === 'ok') parsed.set(name, outcome.doc);
    else views.set(name, outcome);
  }
  // A resolver per batch: its answers are cached for the batch only, so memory stays bounded.
  const resolver = new LookupResolver(upstream);
  await resolver.resolve([...parsed.values()].flatMap(documentLookups));
  for (const [name, doc] of parsed) {
    try {
      views.set(name, {
        kind: 'rebuilt',
        document: buildWorkflowDocument(doc, resolver.answers).document,
      });
    } catch (err) {
      views.set(name, { kind: 'failed', reason: errorMessage(err) });
    }
  }
  return views;
}
