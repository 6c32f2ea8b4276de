import { z } from 'zod';
import { didYouMean } from '../errors.js';

/**
 * A key a newer version of the file writes differently: given the object as written, the message
 * that says what to write instead (e.g. `"checkout" is now protect: [buy]`).
 */
export type MovedKey = (input: Record<string, unknown>) => string;

/**
 * `z.strictObject` for user files: an unknown key is named with a "did you mean" among the known
 * ones (or the list of known keys), instead of zod's bare "Unrecognized key"; a key listed in
 * `moved` (one the file used to take) is refused with its own message saying what replaced it.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, moved: Readonly<Record<string, MovedKey>> = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const input = (issue.input ?? {}) as Record<string, unknown>;
      return issue.keys
        .map((key) => {
          const replaced = Object.hasOwn(moved, key) ? moved[key] : undefined;
          if (replaced) return replaced(input);
          const guess = didYouMean(key, known);
          return `unknown key "${key}"` + (guess ? `; did you mean "${guess}"?` : `; known keys: ${known.join(', ')}`);
        })
        .join('; ');
    },
  });
}
