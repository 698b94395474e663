/**
 * Names kept in ascending code-unit order, so that any page of them is a slice: page
 * 1,500 costs what page 0 costs. Batches of changes are merged in one pass.
 */
export class SortedNames {
  private names: string[] = [];

  get length(): number {
    return this.names.length;
  }

  slice(start: number, end: number): string[] {
    return this.names.slice(start, end);
  }

  /** Replaces the content with `names` (any order, no duplicates). */
  reset(names: string[]): void {
    this.names = names.sort(compare);
  }

  /** Replaces the content with `names`, which the caller has checked are in order. */
  resetSorted(names: string[]): void {
    this.names = names;
  }

  /** Adds names that are not present yet (the caller knows they are new). */
  addMany(added: readonly string[]): void {
    if (added.length === 0) return;
    const sorted = [...added].sort(compare);
    if (sorted.length <= 16) {
      for (const name of sorted) this.names.splice(this.lowerBound(name), 0, name);
      return;
    }
    const merged: string[] = new Array(this.names.length + sorted.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.names.length && j < sorted.length) {
      merged[k++] =
        compare(this.names[i] as string, sorted[j] as string) <= 0
          ? (this.names[i++] as string)
          : (sorted[j++] as string);
    }
    while (i < this.names.length) merged[k++] = this.names[i++] as string;
    while (j < sorted.length) merged[k++] = sorted[j++] as string;
    this.names = merged;
  }

  removeMany(removed: readonly string[]): void {
    if (removed.length === 0) return;
    if (removed.length <= 16) {
      for (const name of removed) {
        const at = this.lowerBound(name);
        if (this.names[at] === name) this.names.splice(at, 1);
      }
      return;
    }
    const gone = new Set(removed);
    this.names = this.names.filter((name) => !gone.has(name));
  }

  private lowerBound(name: string): number {
    let low = 0;
    let high = this.names.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.names[mid] as string) < name) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
