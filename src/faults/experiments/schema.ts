import { z } from 'zod';
import { durationField as duration } from '../../config/duration-field.js';
import { strictObject } from '../../config/strict-object.js';
import { didYouMean } from '../../errors.js';
import { nameProblem } from '../names.js';
import { toxicRegistry, TOXIC_TYPES } from '../toxics/index.js';

const httpProbe = strictObject({
  url: z.string().min(1),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  timeout: duration.default(5000),
});

const probe = z
  .strictObject({
    name: z.string().min(1),
    /** when the probe is checked; the hypothesis holds when every check passes */
    when: z.array(z.enum(['before', 'during', 'after'])).min(1).default(['before', 'during', 'after']),
    http: httpProbe.optional(),
    /** a sample from a Prometheus text endpoint (a service's /metrics), summed over matching series */
    metric: strictObject({ url: z.string().min(1), name: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }).optional(),
    /** an instant PromQL query against a Prometheus server's HTTP API */
    prometheus: strictObject({ url: z.string().min(1), query: z.string().min(1) }).optional(),
    /** a metric of the load run going on (e.g. http_req_failed.rate), when there is one */
    load: strictObject({ metric: z.string().min(1) }).optional(),
    tolerance: z
      .strictObject({
        status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
        latency: duration.optional(),
        min: z.number().optional(),
        max: z.number().optional(),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    const kinds = (['http', 'metric', 'prometheus', 'load'] as const).filter((k) => p[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a probe has exactly one of http, metric, prometheus or load (found ${kinds.join(', ') || 'none'})` });
    }
    if (!p.http && (p.tolerance?.status || p.tolerance?.latency !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'status and latency tolerances apply to http probes; use min/max' });
    }
    if (!p.http && p.tolerance?.min === undefined && p.tolerance?.max === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'give tolerance.min, tolerance.max or both' });
    }
  });

/** A proxy or toxic name the API can address (src/faults/names.ts), e.g. not `../../etc`. */
const apiName = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** More would be a generated file, not an experiment: each probe runs every interval. */
const MAX_PROBES = 100;
const MAX_ACTIONS = 100;

const toxicType = z.string().superRefine((type, ctx) => {
  if (toxicRegistry.has(type)) return;
  const guess = didYouMean(type, TOXIC_TYPES);
  ctx.addIssue({
    code: 'custom',
    message: `"${type}" is not a toxic type${guess ? `; did you mean "${guess}"?` : ''} (known: ${TOXIC_TYPES.join(', ')}; a proxy that is down is "disable-proxy", not a toxic)`,
  });
});

const toxic = z
  .strictObject({
    type: toxicType,
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . -').optional(),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    attributes: z.record(z.string(), z.number()).default({}),
  })
  .superRefine((t, ctx) => checkAttributes(t.type, t.attributes, ctx));

function checkAttributes(type: string, attributes: Record<string, number>, ctx: z.RefinementCtx): void {
  const toxicType = toxicRegistry.get(type);
  if (!toxicType) return;
  const known = Object.keys((toxicType.attributes as unknown as z.ZodObject).shape);
  for (const key of Object.keys(attributes)) {
    if (known.includes(key)) continue;
    const guess = didYouMean(key, known);
    ctx.addIssue({ code: 'custom', path: ['attributes', key], message: `${type} has no attribute "${key}"${guess ? `; did you mean "${guess}"?` : ''} (known: ${known.join(', ')})` });
  }
  const parsed = toxicType.attributes.safeParse(attributes);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['attributes', ...issue.path.map(String)], message: issue.message });
  }
}

const ACTIONS = ['add-toxic', 'update-toxic', 'remove-toxic', 'disable-proxy', 'enable-proxy'];

function unknownAction(input: unknown, known: readonly string[]): string {
  const given = (input as { action?: unknown } | undefined)?.action;
  const guess = typeof given === 'string' ? didYouMean(given, known) : undefined;
  return `${given === undefined ? 'missing action' : `"${String(given)}" is not an action`}${guess ? `; did you mean "${guess}"?` : ''} (known: ${known.join(', ')})`;
}

const base = { at: duration.default(0), proxy: apiName };
const action = z.discriminatedUnion(
  'action',
  [
    strictObject({ action: z.literal('add-toxic'), ...base, duration, toxic }),
    strictObject({
      action: z.literal('update-toxic'),
      ...base,
      duration,
      /** the name the toxic was added with (in this experiment or already there) */
      toxic: strictObject({ name: apiName, toxicity: z.number().min(0).max(1).optional(), attributes: z.record(z.string(), z.number()).default({}) }),
    }),
    strictObject({ action: z.literal('remove-toxic'), ...base, duration: duration.optional(), toxic: strictObject({ name: apiName }) }),
    strictObject({ action: z.literal('disable-proxy'), ...base, duration }),
    strictObject({ action: z.literal('enable-proxy'), ...base, duration: duration.optional() }),
  ],
  { error: (issue) => unknownAction(issue.input, ACTIONS) },
);

export const experimentSchema = strictObject({
  title: z.string().min(1),
  description: z.string().default(''),
  'steady-state-hypothesis': z
    .strictObject({
      title: z.string().optional(),
      /** how often probes marked `during` run while faults are active */
      interval: duration.default(2000),
      /** wait after rollback before the `after` probes, so breakers can close again */
      settle: duration.default(1000),
      probes: z.array(probe).max(MAX_PROBES, `at most ${MAX_PROBES} probes (each runs every interval); is this the right file?`).default([]),
    })
    .default({ interval: 2000, settle: 1000, probes: [] }),
  method: z.array(action).min(1, 'an experiment needs at least one action in method').max(MAX_ACTIONS, `at most ${MAX_ACTIONS} actions; split a longer plan into several experiments`),
  /** extra actions run at the end (after the automatic rollback of everything the method did) */
  rollbacks: z.array(z.discriminatedUnion('action', [
    strictObject({ action: z.literal('remove-toxic'), proxy: apiName, toxic: strictObject({ name: apiName }) }),
    strictObject({ action: z.literal('enable-proxy'), proxy: apiName }),
  ], { error: (issue) => unknownAction(issue.input, ['remove-toxic', 'enable-proxy']) })).max(MAX_ACTIONS, `at most ${MAX_ACTIONS} rollbacks`).default([]),
});

export type ChaosExperiment = z.output<typeof experimentSchema> & { file: string };
export type ChaosAction = ChaosExperiment['method'][number];
export type ChaosProbe = ChaosExperiment['steady-state-hypothesis']['probes'][number];
