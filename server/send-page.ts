/** Answers an HTML page rendered at this second, written chunk by chunk in one go. */
import type { Response } from 'express';
import { renderPage, type PagePart } from './pages/compiled-html.js';

export function sendPage(res: Response, parts: readonly PagePart[]): void {
  const chunks = renderPage(parts, Date.now() / 1000);
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  res.type('html').set({ 'Cache-Control': 'no-cache', 'Content-Length': String(length) });
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}
