/**
 * Words, as search sees text: lower-case runs of letters and digits. `Tau`, `Run2017F` and
 * `HIG` are words of `/Tau/Run2017F-UL2017_MiniAODv2-v1/MINIAOD` and
 * `pdmvserv_task_HIG-Run3Summer22GS-00012__v1_T_240115_093012_1234`.
 */

const WORD = /[\p{L}\p{N}]+/gu;
const LETTER = /\p{L}/u;

/** Every word of `text`, lower case, in order (repeats kept). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/**
 * The words the index keeps: those with at least one letter. Numbers alone (serials,
 * dates, times) are nearly one per workflow: indexing them would double the index for
 * little; a search for digits alone reads the names and PrepIDs instead.
 */
export function hasLetter(word: string): boolean {
  return LETTER.test(word);
}
