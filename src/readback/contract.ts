import { z } from 'zod';
import { strictObject } from '../config/strict-object.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { nameMatcher } from '../run/run-data.js';
import { parseJsonPath, type JsonPath } from '../util/json-path.js';

/**
 * The read-back contract: what any shop offers for its data to be checked after a load test,
 * through its own API. Which requests create something (their k6 `name` tag), where the created
 * id is in the response, which URL reads it back, which fields must come back equal, and the
 * idempotency header the requests carry.
 */

/** What the load engine is given (`runLoadTest({ captures })`): plain data, cloned to the workers. */
export interface CaptureSpec {
  /** the k6 `name` tag of the creating request; `*` matches anything (`checkout-*`) */
  request: string;
  /** JSON path of the id in the create's response body: `$.orderId`, `$.order.id` */
  id: string;
  /** JSON paths read in both the create's response and the read-back, which must be equal */
  fields?: string[];
  /** the request header whose value makes a retry safe (`Idempotency-Key`) */
  idempotencyHeader?: string;
  /** at most this many creates per load instance keep what it takes to replay them (default 100) */
  replayCandidates?: number;
}

/** The whole contract: the capture, and where each id is read back. */
export interface ReadBackContract extends CaptureSpec {
  /** the read-back URL, `{id}` replaced by the id: `/api/orders/{id}` (from the base URL) or absolute */
  readUrl: string;
}

export const DEFAULT_REPLAY_CANDIDATES = 100;

const jsonPathField = z.string().superRefine((value, ctx) => {
  const problem = jsonPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The contract as a user writes it (the game-day file's `checks.integrity.contract`). */
export const readBackContractSchema = strictObject({
  request: z.string().min(1, 'name the create request by its k6 name tag, e.g. checkout'),
  id: jsonPathField,
  readUrl: z.string().refine((u) => u.includes('{id}'), 'must contain {id}, e.g. /api/orders/{id}'),
  fields: z.array(jsonPathField).max(20).optional(),
  idempotencyHeader: z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name, e.g. Idempotency-Key')
    .optional(),
  replayCandidates: z.number().int().min(0).max(10_000).optional(),
});

/** A capture made ready once per load instance: paths parsed, the name matcher built. */
export interface CompiledCapture {
  spec: CaptureSpec;
  matches(name: string): boolean;
  id: JsonPath;
  fields: Array<{ name: string; path: JsonPath }>;
  /** lower-case, as the engine keeps request headers */
  idempotencyHeader: string | undefined;
  replayCandidates: number;
  /** creates captured so far on this instance (which ones keep replay data) */
  seen: number;
  /** replay candidates kept so far on this instance */
  kept: number;
}

/** Compiles the load run's captures; every bad path at once, as a ConfigError naming the field. */
export function compileCaptures(specs: readonly CaptureSpec[], file = 'captures'): CompiledCapture[] {
  const issues: ConfigIssue[] = [];
  specs.forEach((spec, i) => {
    for (const [field, path] of [['id', spec.id], ...(spec.fields ?? []).map((f, j) => [`fields[${j}]`, f])] as Array<[string, string]>) {
      const problem = jsonPathProblem(path);
      if (problem) issues.push({ file, field: `[${i}].${field}`, message: problem });
    }
  });
  if (issues.length) throw new ConfigError(issues);
  return specs.map((spec) => ({
    spec,
    matches: nameMatcher(spec.request),
    id: parseJsonPath(spec.id),
    fields: (spec.fields ?? []).map((name) => ({ name, path: parseJsonPath(name) })),
    idempotencyHeader: spec.idempotencyHeader?.toLowerCase(),
    replayCandidates: spec.replayCandidates ?? DEFAULT_REPLAY_CANDIDATES,
    seen: 0,
    kept: 0,
  }));
}

/** The first capture whose request name matches, or undefined (most requests). */
export function captureFor(captures: readonly CompiledCapture[], name: string): CompiledCapture | undefined {
  for (const capture of captures) if (capture.matches(name)) return capture;
  return undefined;
}

function jsonPathProblem(path: string): string | undefined {
  try {
    parseJsonPath(path);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
