/**
 * Which names the website looks up at all, whoever asks: the same bounds the visitor's
 * input is checked against (validation.ts), kept here so the read model can apply them.
 */

/** Longer than any RequestName, dataset or PrepID CMS uses. */
export const MAX_VALUE_LENGTH = 500;

/** A document id the website may read: not a design or system document, not absurd. */
export function isReadableWorkflowName(name: string): boolean {
  return (
    name !== '' &&
    name.length <= MAX_VALUE_LENGTH &&
    !name.startsWith('_') &&
    !hasControlCharacters(name)
  );
}

/** NUL, newlines and the other C0 controls, and DEL: never part of a name CMS uses. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
