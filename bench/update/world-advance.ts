/** Moves simulated time forward in small steps until a given share of workflows changed. */
import type { World } from '../../sim/index.js';

export interface Advance {
  seconds: number;
  /** Documents that appear in ReqMgr2's `_changes` feed since before the advance. */
  changedDocuments: number;
}

const STEP_SECONDS = 60;

export function advanceUntilChanged(world: World, share: number): Advance {
  const since = world.changes.currentSeq;
  const wanted = Math.ceil(world.workflowCount() * share);
  let seconds = 0;
  let changed = 0;
  while (changed < wanted) {
    world.advance(STEP_SECONDS);
    seconds += STEP_SECONDS;
    changed = world.changesSince(since).rows.length;
  }
  return { seconds, changedDocuments: changed };
}

/**
 * `count` workflows that WMStats does not list and that share no dataset with another:
 * one VALID output dataset of each gains files (its DBS record changes), so that only
 * DBS's list of modified datasets leads an update run to them. In name order.
 */
export function growQuietDatasets(
  world: World,
  count: number,
): Array<{ workflow: string; dataset: string }> {
  const listedBy = new Map<string, number>();
  for (const workflow of world.list())
    for (const dataset of workflow.outputDatasets)
      listedBy.set(dataset, (listedBy.get(dataset) ?? 0) + 1);
  const picked: Array<{ workflow: string; dataset: string }> = [];
  const quiet = [...world.list()]
    .filter((w) => !w.active && !w.deleted && w.outputDatasets.every((d) => listedBy.get(d) === 1))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const workflow of quiet) {
    if (picked.length === count) break;
    const dataset = workflow.outputDatasets.find((d) => world.dataset(d)?.accessType === 'VALID');
    if (dataset === undefined) continue;
    world.addFiles(dataset, { count: 3 });
    picked.push({ workflow: workflow.name, dataset });
  }
  if (picked.length < count)
    throw new Error(`only ${picked.length} quiet workflows with a VALID dataset, ${count} wanted`);
  return picked;
}
