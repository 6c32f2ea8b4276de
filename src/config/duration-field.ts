import { z } from 'zod';
import { durationMs, notADuration } from '../util/duration.js';

/**
 * The one duration field of every user file (scenario options, chaos experiments, budgets, trace
 * rules): a k6 duration ("30s", "1m30s", "500ms") or a number of milliseconds, parsed to ms.
 * A bad one is reported like any other field: `file:line field: "5 seconds" is not a duration; ...`.
 */
export const durationField = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = durationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: notADuration(value) });
    return z.NEVER;
  }
  return ms;
});
