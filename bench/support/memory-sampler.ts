/**
 * Samples this process's memory with a caller-supplied measure of progress: RSS and heap
 * at an interval, and the heap just after each full (mark-sweep) garbage collection,
 * which approximates what the process really retains without forcing any collection.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

export interface MemorySample {
  /** Milliseconds since sampling started. */
  ms: number;
  progress: number;
  rssMb: number;
  heapUsedMb: number;
  /** Heap V8 has reserved (used or not). */
  heapTotalMb: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalMb: number;
  /** Taken right after a full garbage collection. */
  afterFullGc: boolean;
}

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly gcObserver: PerformanceObserver;

  constructor(
    intervalMs: number,
    private readonly progress: () => number,
  ) {
    this.timer = setInterval(() => this.sample(false), intervalMs);
    this.timer.unref();
    this.gcObserver = new PerformanceObserver((list) => {
      const full = list
        .getEntries()
        .some(
          (entry) =>
            (entry as { detail?: { kind?: number } }).detail?.kind ===
            constants.NODE_PERFORMANCE_GC_MAJOR,
        );
      if (full) this.sample(true);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Takes a last sample and stops. */
  stop(): MemorySample[] {
    clearInterval(this.timer);
    this.gcObserver.disconnect();
    this.sample(false);
    return this.samples;
  }

  private sample(afterFullGc: boolean): void {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    const mb = (bytes: number) => bytes / 2 ** 20;
    this.samples.push({
      ms: Math.round(performance.now() - this.started),
      progress: this.progress(),
      rssMb: mb(rss),
      heapUsedMb: mb(heapUsed),
      heapTotalMb: mb(heapTotal),
      externalMb: mb(external),
      afterFullGc,
    });
  }
}
