/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `markup` template). Nothing else in the
 * website writes markup, so nothing a user sends can reach a page unescaped.
 */

export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What a template accepts: text (escaped), markup, lists of either, or nothing. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * Escapes text for element content and quoted attribute values alike. NUL becomes U+FFFD:
 * it marks time slots in rendered markup (compiled-html.ts), so no text may carry one.
 * (One `includes` scan per character is faster than a regular expression here, and this
 * runs for every value of every page.)
 */
export function escapeHtml(text: string): string {
  let out = text;
  if (out.includes('&')) out = out.replaceAll('&', '&amp;');
  if (out.includes('<')) out = out.replaceAll('<', '&lt;');
  if (out.includes('>')) out = out.replaceAll('>', '&gt;');
  if (out.includes('"')) out = out.replaceAll('"', '&quot;');
  if (out.includes("'")) out = out.replaceAll("'", '&#39;');
  if (out.includes('\u0000')) out = out.replaceAll('\u0000', '\ufffd');
  return out;
}

/**
 * The template tag of every page. (Not named `html`: Prettier would reformat the markup
 * inside templates so tagged, changing what pages send.)
 */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] as string);
  }
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined || value === false || value === true) return '';
  let out = '';
  for (const item of value) out += render(item);
  return out;
}
