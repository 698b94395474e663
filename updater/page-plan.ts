/**
 * What the run does with one page of ReqMgr2's changes feed, decided from the page and
 * what step 3 still has to do: the workflows it updates and those it deletes, whether the
 * feed ends with it, and on the last page the rest of step 3, which runs beside it.
 */
import type { ChangesPage } from './upstream-port.js';

export interface PagePlan {
  /** Workflows whose latest change on the page is an update (feed order). */
  changed: string[];
  /** Workflows whose latest change on the page is a deletion (feed order). */
  deleted: string[];
  /** The feed ends with this page. */
  last: boolean;
  /**
   * On the last page: the workflows still to recalculate that are not on it (the page
   * recalculates its own, and their siblings), sorted. Empty on the other pages.
   */
  rest: string[];
}

/**
 * The page is the last one when it is empty, when `pending` is 0, or (a server sending no
 * `pending`) when it holds fewer rows than `pageSize`.
 */
export function planPage(
  page: ChangesPage,
  pageSize: number,
  stillToRecalculate: Iterable<string>,
): PagePlan {
  const { changed, deleted } = latestChanges(page);
  const last =
    page.results.length === 0 ||
    (page.pending !== undefined ? page.pending === 0 : page.results.length < pageSize);
  if (!last) return { changed, deleted, last, rest: [] };
  const onPage = new Set([...changed, ...deleted]);
  const rest = [...stillToRecalculate].filter((name) => !onPage.has(name)).sort();
  return { changed, deleted, last, rest };
}

/** The latest change of each workflow in a page (design documents ignored). */
export function latestChanges(page: ChangesPage): { changed: string[]; deleted: string[] } {
  const latest = new Map<string, boolean>();
  for (const row of page.results) {
    if (typeof row.id !== 'string' || row.id.startsWith('_design/')) continue;
    latest.delete(row.id);
    latest.set(row.id, row.deleted === true);
  }
  const changed: string[] = [];
  const deleted: string[] = [];
  for (const [id, isDeleted] of latest) (isDeleted ? deleted : changed).push(id);
  return { changed, deleted };
}
