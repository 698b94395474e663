/**
 * Readers that query the live views without pause, as the website does, recording the
 * latency and outcome of every query, until stopped.
 */
import type { DocumentScope } from 'nano';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { DESIGN_DOC, type WorkflowView } from '../../couch/workflows.js';
import { errorMessage } from '../../lib/errors.js';

export interface ViewQuery {
  view: WorkflowView;
  key: string;
}

export interface ReaderRecord {
  /** Milliseconds since the readers started, at the end of the query. */
  at: number;
  ms: number;
  error?: string;
}

const ROWS = 100;

export class ViewReaders {
  readonly records: ReaderRecord[] = [];
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly started = performance.now();

  constructor(
    private readonly db: DocumentScope<StoredWorkflow>,
    private readonly queries: readonly ViewQuery[],
    private readonly readers: number,
  ) {
    this.loops = Array.from({ length: readers }, (_, reader) => this.loop(reader));
  }

  /** Milliseconds since the readers started. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  async stop(): Promise<ReaderRecord[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.records;
  }

  private async loop(reader: number): Promise<void> {
    for (let n = reader; this.running; n += this.readers) {
      const { view, key } = this.queries[n % this.queries.length] as ViewQuery;
      const begun = performance.now();
      let error: string | undefined;
      try {
        await this.db.view(DESIGN_DOC, view, { key, limit: ROWS });
      } catch (err) {
        error = errorMessage(err);
      }
      const end = performance.now();
      this.records.push({
        at: end - this.started,
        ms: end - begun,
        ...(error === undefined ? {} : { error }),
      });
    }
  }
}
