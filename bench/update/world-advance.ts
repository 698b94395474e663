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
