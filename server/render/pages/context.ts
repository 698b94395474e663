/** What every page needs besides its own content. */
import type { LastRun } from '../../read-model/last-update.js';

export interface PageContext {
  /** URL path prefix, e.g. "/stats" ("" at the root). */
  prefix: string;
  totalWorkflows: number;
  /** Unix seconds of the last update run, when known. */
  lastUpdateRun: number | undefined;
  /** The summary of the last update run, when one is recorded. */
  lastRun: LastRun | undefined;
  /** False while the record of update runs could not be read yet. */
  runsKnown: boolean;
  /** Set when the database does not answer: since when (unix seconds) the data may be stale. */
  stale: { since: number | undefined } | undefined;
  /** The text to show in the search box. */
  search?: string;
}
