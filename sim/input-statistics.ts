/**
 * The `TotalInput*` numbers Global WorkQueue writes into a request when it is acquired
 * (docs/upstreams.md#fields-stats2-reads, #request-statuses), consistent with what DBS
 * holds for the input dataset and lumi mask.
 */
import { countLumis, fileTouches, layoutFiles, maskRuns } from './dbs-content.js';
import type { WorkflowSpec } from './generator/types.js';
import { Rng } from './prng.js';

export interface InputStatistics {
  TotalInputEvents: number;
  TotalInputLumis: number;
  TotalInputFiles: number;
  TotalEstimatedJobs: number;
}

export function inputStatistics(spec: WorkflowSpec, seed: number): InputStatistics {
  const jobs = (events: number): number => Math.max(1, Math.ceil(events / 5000));
  if (spec.type === 'Resubmission') {
    // An ACDC's own numbers (Stats2 ignores them and asks for the parent's).
    const rng = Rng.of(seed, 'acdc-stats', spec.index);
    const events = rng.int(100, 50_000);
    return {
      TotalInputEvents: events,
      TotalInputLumis: rng.int(1, 500),
      TotalInputFiles: rng.int(1, 200),
      TotalEstimatedJobs: jobs(events),
    };
  }
  const input = spec.input;
  if (input === undefined) {
    const requested = spec.requestNumEvents ?? 0;
    const events = Math.ceil(requested / spec.filterEfficiency);
    return {
      TotalInputEvents: events,
      TotalInputLumis: Math.ceil(events / spec.eventsPerLumi),
      TotalInputFiles: 0,
      TotalEstimatedJobs: jobs(events),
    };
  }
  const masked = Object.keys(input.mask).length > 0;
  const runs = masked ? maskRuns(input.layout.runs, input.mask) : input.layout.runs;
  const files = layoutFiles(input.layout, input.createdAt).filter((file) => {
    if (!masked) return true;
    const ranges = input.mask[String(file.run)];
    return ranges !== undefined && fileTouches(file, ranges);
  });
  const events = files.reduce((sum, file) => sum + file.events, 0);
  return {
    // Harvesting reads DQMIO histograms, not events.
    TotalInputEvents: spec.type === 'DQMHarvest' ? 0 : events,
    TotalInputLumis: countLumis(runs),
    TotalInputFiles: files.length,
    TotalEstimatedJobs: jobs(events),
  };
}
