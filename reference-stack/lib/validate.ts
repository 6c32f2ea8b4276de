import { z } from 'zod';
import { HttpError } from './http-server.js';

/**
 * Validates a request body or query at the edge with zod: a 400 that names every bad field and
 * shows what a good request looks like.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, example: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new HttpError(400, `invalid ${what}: ${problems.join('; ')}; expected ${example}`);
}

/** A whole number given as a query-string value, within bounds. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);
}
