/**
 * When things happened before the simulation started: creation dates spread over nine
 * years (the most recent ones are the active workflows) and status transition times.
 */
import { hashOf, Rng } from '../prng.js';
import { meanDwellSeconds } from '../statuses.js';

const HISTORY_SPAN = 9 * 365 * 86400;
const ACTIVE_WINDOW = 60 * 86400;

/** Creation time of the `index`-th of the initial workflows; increases with the index. */
export function initialCreationTime(
  seed: number,
  index: number,
  workflows: number,
  active: number,
  startTime: number,
): number {
  const archived = workflows - active;
  if (index < archived) {
    const gap = (HISTORY_SPAN - ACTIVE_WINDOW) / archived;
    return Math.floor(
      startTime -
        HISTORY_SPAN +
        index * gap +
        (hashOf(seed, 'created', index) % Math.max(1, Math.floor(gap))),
    );
  }
  const gap = (ACTIVE_WINDOW - 3600) / Math.max(1, active);
  return Math.floor(
    startTime -
      ACTIVE_WINDOW +
      (index - archived) * gap +
      (hashOf(seed, 'created', index) % Math.max(1, Math.floor(gap))),
  );
}

/** Transition times of the first `steps` statuses of `path`, all before `endBy`. */
export function initialTransitionTimes(
  seed: number,
  index: number,
  path: readonly string[],
  steps: number,
  createdAt: number,
  endBy: number,
): number[] {
  const rng = Rng.of(seed, 'timeline', index);
  const gaps: number[] = [];
  for (let i = 1; i < steps; i++)
    gaps.push(Math.max(1, rng.exponential(meanDwellSeconds(path[i - 1] as string))));
  const total = gaps.reduce((sum, gap) => sum + gap, 0);
  const available = Math.max(steps, endBy - createdAt);
  const scale = total > available ? available / total : 1;
  const times = [createdAt];
  let time = createdAt;
  for (const gap of gaps) {
    time += Math.max(1, Math.floor(gap * scale));
    times.push(time);
  }
  return times;
}
