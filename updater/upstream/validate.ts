/** Response validation: an answer of an unexpected shape is an error, never data. */
import { z } from 'zod';
import { schemaError } from './http.js';

export function validate<T extends z.ZodType>(
  endpoint: string,
  schema: T,
  body: unknown,
): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success)
    throw schemaError(endpoint, z.prettifyError(result.error).replace(/\s+/g, ' '), body);
  return result.data;
}
