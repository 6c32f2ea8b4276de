import { z } from 'zod';
import { loadYamlFile, parseYamlText } from '../../config/load-yaml.js';
import { durationField } from '../../config/duration-field.js';

/**
 * The trace assertion language (documented in src/telemetry/README.md). A rules file:
 *
 *   rules:
 *     - id: checkout-complete
 *       description: ...
 *       traces: { root: { service: gateway, name: "POST /api/checkout" } }   # which traces
 *       expect:
 *         - spans: { service: payments, kind: SERVER }    # which spans of each trace
 *           count: { min: 1 }                             # per trace
 *           parent: { service: checkout, kind: CLIENT }   # each span's parent matches
 *           status: { not: ERROR }                        # each span
 *           duration: { max: 2s }
 *           attributes: { http.response.status_code: { lt: 500 } }
 *           unlessFault: true                             # forgive failures during a fault window
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const matcherObject = z
  .object({
    equals: scalar.optional(),
    not: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    exists: z.boolean().optional(),
    matches: z
      .string()
      .refine((s) => isRegex(s), { message: 'not a valid regular expression' })
      .optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, { message: 'an attribute matcher needs at least one of equals, not, in, lt, lte, gt, gte, exists, matches' });

/** an attribute condition: a plain value means "equals" */
export const attributeMatcher = z.union([scalar, matcherObject]);
export type AttributeMatcher = z.output<typeof attributeMatcher>;

const KINDS = ['SERVER', 'CLIENT', 'INTERNAL', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;
const STATUSES = ['UNSET', 'OK', 'ERROR'] as const;
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

export const spanSelector = z
  .object({
    service: oneOrMany(z.string()).optional(),
    /** exact name, a glob with `*`, or /regex/ */
    name: z
      .string()
      .refine((s) => !(s.startsWith('/') && s.endsWith('/') && s.length > 1) || isRegex(s.slice(1, -1)), { message: 'not a valid /regular expression/' })
      .optional(),
    kind: oneOrMany(z.enum(KINDS)).optional(),
    status: oneOrMany(z.enum(STATUSES)).optional(),
    attributes: z.record(z.string(), attributeMatcher).optional(),
  })
  .strict();
export type SpanSelector = z.output<typeof spanSelector>;

const count = z.union([
  z.number().int().min(0),
  z
    .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .strict()
    .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both' }),
]);

export const assertionSchema = z
  .object({
    /** the spans of each trace this assertion is about (empty = every span) */
    spans: spanSelector.default({}),
    count: count.optional(),
    duration: z.object({ min: durationField.optional(), max: durationField.optional() }).strict().optional(),
    status: z.union([z.enum(STATUSES), z.object({ not: z.enum(STATUSES) }).strict()]).optional(),
    attributes: z.record(z.string(), attributeMatcher).optional(),
    parent: spanSelector.optional(),
    ancestor: spanSelector.optional(),
    /** true: failures on spans (count: traces) overlapping any fault window are forgiven; a list: only those proxies' faults */
    unlessFault: z.union([z.boolean(), z.array(z.string()).min(1)]).optional(),
  })
  .strict()
  .refine((a) => a.count !== undefined || a.duration || a.status || a.attributes || a.parent || a.ancestor, {
    message: 'an assertion needs at least one of count, duration, status, attributes, parent, ancestor',
  });
export type TraceAssertion = z.output<typeof assertionSchema>;

export const traceRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    description: z.string().optional(),
    /** which traces the rule applies to: the entry span matches `root`, and some span matches `has` */
    traces: z.object({ root: spanSelector.optional(), has: spanSelector.optional() }).strict().default({}),
    expect: z.array(assertionSchema).min(1),
  })
  .strict();
export type TraceRule = z.output<typeof traceRuleSchema>;

export const traceRulesFileSchema = z
  .object({ rules: z.array(traceRuleSchema).min(1) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });

export function loadTraceRules(path: string): TraceRule[] {
  return loadYamlFile(path, traceRulesFileSchema).rules;
}

export function parseTraceRules(text: string, file = 'trace-rules.yaml'): TraceRule[] {
  return parseYamlText(text, traceRulesFileSchema, file).rules;
}

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
