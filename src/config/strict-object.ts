import { z } from 'zod';
import { didYouMean } from '../errors.js';

/**
 * `z.strictObject` for user files: an unknown key is named with a "did you mean" among the known
 * ones (or the list of known keys), instead of zod's bare "Unrecognized key".
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const guess = didYouMean(key, known);
          return `unknown key "${key}"` + (guess ? `; did you mean "${guess}"?` : `; known keys: ${known.join(', ')}`);
        })
        .join('; ');
    },
  });
}
