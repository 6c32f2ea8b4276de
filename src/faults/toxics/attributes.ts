import { z } from 'zod';

/** One hour: larger waits are a typo, not a test plan (Toxiproxy itself accepts any int64). */
export const MAX_MS = 3_600_000;

/** A non-negative integer attribute defaulting to 0, as Toxiproxy's int64 fields do. */
export function intAttribute(max: number, unit: string): z.ZodDefault<z.ZodNumber> {
  return z
    .number({ error: `must be a number (${unit})` })
    .int({ error: `must be a whole number (${unit})` })
    .min(0, { error: `must not be negative (${unit})` })
    .max(max, { error: `must be at most ${max} (${unit})` })
    .default(0);
}
