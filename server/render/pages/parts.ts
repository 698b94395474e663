/** Small pieces of markup that several pages share. */
import { formatDateTime } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import type { Link } from '../links.js';
import { agoSlot } from './compiled-html.js';

/** "3d ago" (filled in when answered), with the exact time on hover. */
export function timeAgo(unixSeconds: number): SafeHtml {
  if (Number.isNaN(new Date(unixSeconds * 1000).getTime())) {
    return markup`<span class="muted">an impossible date</span>`;
  }
  return markup`<time title="${formatDateTime(unixSeconds)}">${agoSlot(unixSeconds)}</time>`;
}

/** Links to other services (styled apart by their https: address). */
export function externalLinks(links: readonly Link[]): SafeHtml {
  return markup`${links.map((link) => markup` <a href="${link.href}">${link.label}</a>`)}`;
}
