/**
 * The one place where failed requests are answered: JSON for API routes, an HTML page
 * for pages. Messages written for people (validation, not found, our own 4xx/503s) are
 * shown; anything else is logged and answered with a generic message.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { Stats2Error } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { HttpError } from './http-errors.js';
import type { PageContext } from '../render/pages/context.js';
import { messagePage } from '../render/pages/message-page.js';
import type { PageSender } from './send-page.js';

export type AnswerFormat = 'html' | 'json';

/** Marks the routes after it as answering JSON (errors included). */
export const answersJson: RequestHandler = (_req, res, next) => {
  res.locals.format = 'json' satisfies AnswerFormat;
  next();
};

const GENERIC: Record<number, string> = {
  400: 'the request is malformed',
  404: 'there is nothing here',
  405: 'this method is not allowed here',
  413: 'the request is too large',
  500: 'something went wrong on our side; it has been logged',
  502: 'the database answered with an error; please try again',
  503: 'the database cannot be reached right now; please try again',
};

export interface ErrorBoundaryOptions {
  logger: Logger;
  pages: PageSender;
  /** The page frame's context for HTML error pages (totals shown in the header). */
  pageContext(): PageContext;
}

export function notFound(prefix: string): RequestHandler {
  const apiPrefix = `${prefix}/api/`;
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith(apiPrefix)) res.locals.format = 'json';
    next(new HttpError(404, 'NOT_FOUND', 'there is nothing at this address'));
  };
}

export function errorBoundary(options: ErrorBoundaryOptions): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = statusOf(err);
    const shown = shownMessage(err, status);
    // Our own 503s ("starting", "not available here") are expected answers, not failures:
    // the state behind them is logged once where it changes.
    const expected = err instanceof HttpError && status === 503;
    if (status >= 500 && !expected)
      options.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    else
      options.logger.debug(
        { status, method: req.method, path: req.path, message: shown },
        'request refused',
      );
    if (res.headersSent) {
      // A streamed answer broke half-way: cut it so the client sees it incomplete.
      res.destroy();
      return;
    }
    res.status(status);
    if (err instanceof HttpError) res.set(err.headers);
    if (res.locals.format === 'json') {
      res.json({ error: err instanceof Stats2Error ? err.code : codeOf(status), message: shown });
      return;
    }
    const title =
      status === 404
        ? 'Not found'
        : status < 500
          ? 'This request cannot be answered'
          : 'Something went wrong';
    options.pages
      .send(req, res, messagePage(options.pageContext(), title, capitalize(shown)))
      .catch(() => res.destroy());
  };
}

function statusOf(err: unknown): number {
  const status =
    err instanceof Stats2Error
      ? err.statusCode
      : ((err as { status?: unknown; statusCode?: unknown })?.status ??
        (err as { statusCode?: unknown })?.statusCode);
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

function shownMessage(err: unknown, status: number): string {
  const ours = err instanceof HttpError || (err instanceof Stats2Error && status < 500);
  if (ours) return (err as Error).message;
  return GENERIC[status] ?? (status < 500 ? GENERIC[400] : GENERIC[500]) ?? '';
}

function codeOf(status: number): string {
  return status === 404 ? 'NOT_FOUND' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}
