/**
 * Strings that many workflows share (types, statuses, campaigns, processing strings,
 * input datasets, the processed-name and tier parts of output datasets), each kept once
 * and referred to by a small number. Ids are never reused: a value no workflow uses any
 * more stays until the next full read or snapshot load, which keep only what is used.
 */
export class AtomTable {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  constructor(texts: readonly string[] = []) {
    for (const text of texts) this.id(text);
  }

  get size(): number {
    return this.texts.length;
  }

  /** The id of `text`, added when new. */
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** The id of `text` if it is in the table. */
  find(text: string): number | undefined {
    return this.ids.get(text);
  }

  text(id: number): string {
    const text = this.texts[id];
    if (text === undefined) throw new RangeError(`atom ${id} is not in the table`);
    return text;
  }

  /** Every text, by id (a copy: what a snapshot writes). */
  all(): string[] {
    return this.texts.slice();
  }
}
