/**
 * Every value a visitor sends, checked before use. Failures become 400s whose messages
 * name the parameter and the rule, never echo the value.
 */
import { z } from 'zod';
import { BadRequestError } from '../../lib/errors.js';
import { FILTER_NAMES, type Filter, type FilterName } from '../read-model/filters.js';
import { hasControlCharacters, MAX_VALUE_LENGTH } from '../read-model/workflow-names.js';

/** Deeper than any list will ever go (200,000 workflows are 2,000 pages). */
const MAX_PAGE_DIGITS = 7;

const value = z
  .string({ error: 'must be given once, as plain text' })
  .max(MAX_VALUE_LENGTH, { error: `must be at most ${MAX_VALUE_LENGTH} characters` })
  .refine((text) => !hasControlCharacters(text), { error: 'must not contain control characters' })
  .transform((text) => text.trim());

const listQuery = z.object(
  Object.fromEntries(FILTER_NAMES.map((name) => [name, value.optional()])) as Record<
    FilterName,
    z.ZodOptional<typeof value>
  >,
);

const searchQuery = z.object({
  q: value.optional(),
  limit: z
    .string({ error: 'must be given once, as plain text' })
    .regex(/^\d{1,4}$/, { error: 'must be a whole number from 1' })
    .transform(Number)
    .optional(),
});

const updateQuery = z.object({ workflow_name: value.optional() });

const page = z
  .string()
  .regex(new RegExp(`^\\d{1,${MAX_PAGE_DIGITS}}$`), { error: 'must be a whole number from 0' })
  .transform(Number);

/** The filter a list-like request asks for (the first given, in FILTER_NAMES order), if any. */
export function parseFilter(query: unknown): Filter | undefined {
  const parsed = parse(listQuery, query);
  for (const name of FILTER_NAMES) {
    const given = parsed[name];
    if (given !== undefined && given !== '') return { name, value: given };
  }
  return undefined;
}

/** What `api/fetch` sends: the documents of one filter. Unknown parameters are refused. */
export function parseFetchFilter(query: unknown): Filter {
  rejectUnknown(query, FILTER_NAMES, 'api/fetch');
  const filter = parseFilter(query);
  if (filter === undefined)
    throw new BadRequestError(
      `api/fetch needs one filter, e.g. ?prepid=…; the filters are ${FILTER_NAMES.join(', ')}`,
    );
  return filter;
}

/** `q` (trimmed, may be empty) and how many results to list (1 … `maxLimit`). */
export function parseSearch(
  query: unknown,
  limits: { default: number; max: number },
): { q: string; limit: number } {
  const parsed = parse(searchQuery, query);
  const limit = parsed.limit ?? limits.default;
  if (limit < 1 || limit > limits.max)
    throw new BadRequestError(`query parameter limit must be from 1 to ${limits.max}`);
  return { q: parsed.q ?? '', limit };
}

export function parseUpdateTarget(query: unknown): string | undefined {
  const name = parse(updateQuery, query).workflow_name;
  return name === '' ? undefined : name;
}

export function parsePage(text: string): number {
  const result = page.safeParse(text);
  if (!result.success) throw new BadRequestError('the page number must be a whole number from 0');
  return result.data;
}

function parse<T>(schema: z.ZodType<T>, query: unknown): T {
  rejectArrayKeys(query);
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `query parameter ${String(issue.path[0])}` : 'the query';
  throw new BadRequestError(`${where} ${issue?.message ?? 'is not valid'}`);
}

function rejectUnknown(query: unknown, known: readonly string[], where: string): void {
  if (typeof query !== 'object' || query === null) return;
  for (const key of Object.keys(query)) {
    if (!known.includes(key))
      throw new BadRequestError(
        `${where} has no query parameter "${key.slice(0, 40)}"; it takes ${known.join(', ')}`,
      );
  }
}

/** `?prepid[]=a` is an array in some frameworks' syntax; say so rather than ignore it. */
function rejectArrayKeys(query: unknown): void {
  if (typeof query !== 'object' || query === null) return;
  for (const key of Object.keys(query)) {
    if (key.includes('[') || key.includes(']')) {
      throw new BadRequestError(
        'query parameters cannot be arrays or objects; give each one once, as plain text',
      );
    }
  }
}
