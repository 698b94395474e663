/**
 * A list the update run keeps in the settings document (the failed workflows, the
 * notifications still owed): what this run put on it and took off, merged into the stored
 * list at each checkpoint. Names this run never touched keep whatever the stored list
 * says, so a one-workflow update running beside the run keeps its own decisions.
 */
export class TrackedNames<V> {
  readonly #current = new Map<string, V>();
  /** Names this run took off (only names that were on the list: it stays small on any feed). */
  readonly #takenOff = new Set<string>();

  constructor(initial: Iterable<readonly [string, V]> = []) {
    for (const [name, value] of initial) this.#current.set(name, value);
  }

  get size(): number {
    return this.#current.size;
  }

  has(name: string): boolean {
    return this.#current.has(name);
  }

  get(name: string): V | undefined {
    return this.#current.get(name);
  }

  set(name: string, value: V): void {
    this.#current.set(name, value);
  }

  /** Takes `name` off; true when it was on. */
  takeOff(name: string): boolean {
    if (!this.#current.delete(name)) return false;
    this.#takenOff.add(name);
    return true;
  }

  /** Whatever the stored list says of `name`, this run's word (on or off) is the one saved. */
  decideAnew(name: string): void {
    this.#takenOff.add(name);
  }

  names(): string[] {
    return [...this.#current.keys()].sort();
  }

  entries(): Array<[string, V]> {
    return [...this.#current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The stored entries, without those this run took off, with this run's on top; sorted by name. */
  merge(stored: Iterable<readonly [string, V]>): Array<[string, V]> {
    const merged = new Map<string, V>();
    for (const [name, value] of stored) if (!this.#takenOff.has(name)) merged.set(name, value);
    for (const [name, value] of this.#current) merged.set(name, value);
    return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
