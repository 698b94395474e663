/** Counted nouns that read right: "1 document", "2 documents", "0 documents". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${pluralNoun(count, singular, pluralForm)}`;
}

/** The noun alone, for counts formatted elsewhere ("1,234 workflows"). */
export function pluralNoun(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}
