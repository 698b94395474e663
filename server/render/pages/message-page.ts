/** A page that only says something: an error, or that the site is still starting. */
import { markup } from '../html.js';
import type { PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import { layout } from './layout.js';

export function messagePage(context: PageContext, title: string, message: string): PagePart[] {
  const body = markup`<section class="message"><h1>${title}</h1><p>${message}</p><p><a href="${context.prefix}/">All workflows</a></p></section>`;
  return layout(context, title, [body]);
}
