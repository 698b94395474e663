/**
 * Not a cmsweb service: the simulator's current time, so that commands run against it
 * (STATS_CLOCK_URL in the demo's sim.env) stamp the simulated world's time, not the real one.
 */
import type { SimulatedClock } from '../../clock.js';
import { json, type Route } from '../http.js';

export const CLOCK_PATH = '/simulator/clock';

export function clockRoutes(clock: SimulatedClock): Route[] {
  return [
    {
      endpoint: 'clock',
      method: 'GET',
      pattern: new RegExp(`^${CLOCK_PATH}$`),
      handle: () => {
        const now = clock.now();
        return json(200, { now: new Date(now).toISOString(), epochMs: now });
      },
    },
  ];
}
