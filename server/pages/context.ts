/** What every page needs besides its own content. */
export interface PageContext {
  /** URL path prefix, e.g. "/stats" ("" at the root). */
  prefix: string;
  totalWorkflows: number;
  /** Unix seconds of the last update run, when known. */
  lastUpdateRun: number | undefined;
  /** The text to show in the search box. */
  search?: string;
}
