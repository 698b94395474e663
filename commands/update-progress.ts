/**
 * What a person sees during an update: on a terminal, a progress bar per phase with
 * counts and ETA; elsewhere (systemd, CI), nothing here — the JSON log lines say it.
 */
import cliProgress from 'cli-progress';
import { plural } from '../lib/plural.js';
import type { RunProgress, RunSummary } from '../updater/run.js';

/** In the order a run goes through them. */
const PHASE_LABELS: Record<RunProgress['phase'], string> = {
  failed: 'retrying failed',
  changes: 'ReqMgr2 changes',
  recalculate: 'DBS history',
  callbacks: 'callbacks',
};

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

/** Bars on `stream` when it is a terminal; nothing without one. */
export function progressDisplay(stream: NodeJS.WriteStream | undefined): ProgressDisplay {
  if (!stream?.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{phase} |{bar}| {value}/{total} | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase: RunProgress['phase'] | undefined;
  const order = Object.keys(PHASE_LABELS);
  return {
    update(progress) {
      // The feed's last page ends while step 3 runs beside it: its bar is not shown again.
      if (phase !== undefined && order.indexOf(progress.phase) < order.indexOf(phase)) return;
      const label = PHASE_LABELS[progress.phase].padEnd(16);
      // The feed's length is unknown until it ends: count it without a total.
      const total = progress.total ?? Math.max(progress.done, 1);
      if (phase !== progress.phase) {
        if (phase !== undefined) bar.stop();
        bar.start(total, progress.done, { phase: label });
        phase = progress.phase;
      } else {
        bar.setTotal(total);
        bar.update(progress.done, { phase: label });
      }
    },
    stop() {
      if (phase !== undefined) bar.stop();
    },
  };
}

/**
 * The run's result for a person. `elapsedMs`: the whole run as its caller timed it. The
 * phases' times never exceed it, but they overlap (DBS history runs beside the feed's last
 * page), so they are given as time spent in each, not as parts that add up.
 */
export function formatSummary(summary: RunSummary, elapsedMs?: number): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const phases = Object.entries(summary.durations);
  const longestPhase = Math.max(0, ...phases.map(([, ms]) => ms));
  // Without the caller's timing, the summary's whole seconds are the floor.
  const total = Math.max(
    elapsedMs ?? (summary.finishedAt - summary.startedAt) * 1000,
    longestPhase,
  );
  const known = (phase: string): phase is RunProgress['phase'] => phase in PHASE_LABELS;
  const phaseTimes = phases
    .map(([phase, ms]) => `${known(phase) ? PHASE_LABELS[phase] : phase} ${seconds(ms)}`)
    .join(', ');
  const overlapping = phases.reduce((sum, [, ms]) => sum + ms, 0) > total;
  const lines = [
    `documents changed      ${summary.changed} (unchanged ${summary.unchanged})`,
    `workflows deleted      ${summary.deleted}`,
    `histories recalculated ${summary.recalculated}`,
    `history entries added  ${summary.historyEntriesAdded}`,
    `callbacks              ${summary.callbacksSent} sent, ${summary.callbackFailures} failed, ${plural(summary.callbacksPending, 'workflow')} still owed one`,
    `failed workflows       ${summary.failed.length}${summary.failed.length ? ': ' + summary.failed.slice(0, 10).join(', ') + (summary.failed.length > 10 ? ', …' : '') : ''}`,
    `duration               ${seconds(total)}`,
  ];
  if (phases.length > 0) {
    lines.push(
      `time in each phase     ${phaseTimes}${overlapping ? ' (phases run side by side)' : ''}`,
    );
  }
  if (!summary.complete)
    lines.push(
      'incomplete             DBS modified datasets could not be listed; the next run covers them',
    );
  return lines.join('\n');
}
