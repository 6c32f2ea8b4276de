import { z } from 'zod';
import { ConfigError, didYouMean, type ConfigIssue } from '../errors.js';
import { durationMs, notADuration } from '../util/duration.js';
import { baseSchema, type BaseConfig } from './executors/base.js';
import { executorRegistry } from './executors/index.js';
import type { ExecutorPlugin } from './executors/types.js';

/**
 * A script's `options`, validated once at the edge: scenario configs per executor (every problem
 * at once, naming scenario and field), k6's shortcuts (`vus`, `duration`, `iterations`, `stages`)
 * mapped to a `default` scenario as k6 maps them, and CLI overrides on top.
 */

export interface ScenarioPlan {
  name: string;
  executor: ExecutorPlugin<BaseConfig>;
  config: BaseConfig & Record<string, unknown>;
}

export interface LoadOptions {
  scenarios: ScenarioPlan[];
  thresholds: unknown;
  tags: Record<string, string>;
  summaryTrendStats?: string[];
  summaryTimeUnit?: string;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  noConnectionReuse: boolean;
  discardResponseBodies: boolean;
  maxRedirects: number;
  userAgent: string;
  insecureSkipTLSVerify: boolean;
}

export interface Overrides {
  vus?: number;
  duration?: string;
  iterations?: number;
}

const topSchema = z.object({
  vus: z.number().int().min(0).optional(),
  duration: z.union([z.string(), z.number()]).optional(),
  iterations: z.number().int().min(0).optional(),
  stages: z.array(z.object({ duration: z.union([z.string(), z.number()]), target: z.number().int().min(0) })).optional(),
  scenarios: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  thresholds: z.record(z.string(), z.unknown()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  summaryTrendStats: z.array(z.string()).optional(),
  summaryTimeUnit: z.string().optional(),
  setupTimeout: z.union([z.string(), z.number()]).optional(),
  teardownTimeout: z.union([z.string(), z.number()]).optional(),
  noConnectionReuse: z.boolean().optional(),
  discardResponseBodies: z.boolean().optional(),
  maxRedirects: z.number().int().min(0).optional(),
  userAgent: z.string().optional(),
  insecureSkipTLSVerify: z.boolean().optional(),
});

function issuesFrom(error: z.ZodError, file: string, prefix: string): ConfigIssue[] {
  return error.issues.map((i) => ({
    file,
    field: [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '['),
    message: /received undefined$/.test(i.message) ? 'is required' : i.message,
  }));
}

function shortcutScenario(o: z.output<typeof topSchema>): Record<string, unknown> {
  if (o.iterations !== undefined) {
    return { executor: 'shared-iterations', vus: o.vus ?? 1, iterations: o.iterations, ...(o.duration !== undefined ? { maxDuration: o.duration } : {}) };
  }
  if (o.stages !== undefined) return { executor: 'ramping-vus', startVUs: o.vus ?? 1, stages: o.stages };
  if (o.duration !== undefined) return { executor: 'constant-vus', vus: o.vus ?? 1, duration: o.duration };
  return { executor: 'shared-iterations', vus: 1, iterations: 1 };
}

/** The scenarios' raw configs: the script's own, or k6's shortcut `default` one (CLI overrides win, as k6). */
function scenarioSources(o: z.output<typeof topSchema>, overrides: Overrides, file: string, issues: ConfigIssue[]): Record<string, Record<string, unknown>> {
  const usesOverride = overrides.vus !== undefined || overrides.duration !== undefined || overrides.iterations !== undefined;
  if (usesOverride) {
    // as k6: --vus/--duration/--iterations replace the script's scenarios with the shortcut one
    const merged = { ...o, ...overrides };
    if (overrides.duration !== undefined && overrides.iterations === undefined) delete merged.iterations;
    if (overrides.vus !== undefined && overrides.duration === undefined && overrides.iterations === undefined && o.scenarios && !o.duration && !o.iterations && !o.stages) {
      merged.duration = '30s';
    }
    if (overrides.duration !== undefined || overrides.iterations !== undefined) delete merged.stages;
    return { default: shortcutScenario(merged) };
  }
  if (!o.scenarios) return { default: shortcutScenario(o) };
  for (const key of ['vus', 'duration', 'iterations', 'stages'] as const) {
    if (o[key] !== undefined) issues.push({ file, field: `options.${key}`, message: 'cannot be combined with options.scenarios; move it into a scenario' });
  }
  if (Object.keys(o.scenarios).length === 0) issues.push({ file, field: 'options.scenarios', message: 'is empty; define at least one scenario' });
  return o.scenarios;
}

/** One scenario validated against its executor's schema over the base config; undefined (issues noted) when it is not valid. */
function planScenario(name: string, rawConfig: Record<string, unknown>, file: string, issues: ConfigIssue[]): ScenarioPlan | undefined {
  const prefix = `options.scenarios.${name}`;
  const executor = findExecutor(rawConfig.executor, `${prefix}.executor`, file, issues);
  if (!executor) return undefined;
  const schema = baseSchema.extend((executor.schema as z.ZodObject).shape);
  const knownKeys = Object.keys(schema.shape);
  for (const key of Object.keys(rawConfig)) {
    if (!knownKeys.includes(key)) {
      const hint = didYouMean(key, knownKeys);
      issues.push({ file, field: `${prefix}.${key}`, message: `is not an option of ${executor.name}${hint ? `; did you mean "${hint}"?` : ''}` });
    }
  }
  const result = schema.safeParse(rawConfig);
  if (!result.success) {
    issues.push(...issuesFrom(result.error, file, prefix));
    return undefined;
  }
  const config = result.data as BaseConfig & Record<string, unknown>;
  for (const [field, message] of executor.check?.(config) ?? []) issues.push({ file, field: `${prefix}.${field}`, message });
  return { name, executor, config };
}

function findExecutor(executorName: unknown, field: string, file: string, issues: ConfigIssue[]): ExecutorPlugin<BaseConfig> | undefined {
  const executor = typeof executorName === 'string' ? executorRegistry.get(executorName) : undefined;
  if (executor) return executor;
  const known = [...executorRegistry.keys()];
  const hint = typeof executorName === 'string' ? didYouMean(executorName, known) : undefined;
  issues.push({
    file,
    field,
    message:
      executorName === undefined
        ? `is required; one of ${known.join(', ')}`
        : `"${String(executorName)}" is not an executor${hint ? `; did you mean "${hint}"?` : `; use one of ${known.join(', ')}`}`,
  });
  return undefined;
}

export function resolveOptions(raw: unknown, file: string, overrides: Overrides = {}): LoadOptions {
  const parsed = topSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(issuesFrom(parsed.error, file, 'options'));
  const o = { ...parsed.data };
  const issues: ConfigIssue[] = [];
  const scenarios: ScenarioPlan[] = [];
  for (const [name, rawConfig] of Object.entries(scenarioSources(o, overrides, file, issues))) {
    const plan = planScenario(name, rawConfig, file, issues);
    if (plan) scenarios.push(plan);
  }
  const duration = (value: string | number | undefined, fallback: number, field: string) => {
    if (value === undefined) return fallback;
    const ms = durationMs(value);
    if (ms === undefined) issues.push({ file, field: `options.${field}`, message: notADuration(value) });
    return ms ?? fallback;
  };
  const setupTimeoutMs = duration(o.setupTimeout, 60_000, 'setupTimeout');
  const teardownTimeoutMs = duration(o.teardownTimeout, 60_000, 'teardownTimeout');
  if (issues.length) throw new ConfigError(issues);
  return {
    scenarios,
    thresholds: o.thresholds ?? {},
    tags: o.tags ?? {},
    summaryTrendStats: o.summaryTrendStats,
    summaryTimeUnit: o.summaryTimeUnit,
    setupTimeoutMs,
    teardownTimeoutMs,
    noConnectionReuse: o.noConnectionReuse ?? false,
    discardResponseBodies: o.discardResponseBodies ?? false,
    maxRedirects: o.maxRedirects ?? 10,
    userAgent: o.userAgent ?? 'peakready/0.1 (k6-compatible; https://k6.io/)',
    insecureSkipTLSVerify: o.insecureSkipTLSVerify ?? false,
  };
}

/** Each scenario's window in ms from the test start: [startTime, startTime + planned duration]. */
export function scenarioWindows(options: LoadOptions): Array<{ name: string; executor: string; startMs: number; durationMs: number; maxEndMs: number; peakRatePerSecond?: number }> {
  return options.scenarios.map((s) => {
    const peakRatePerSecond = s.executor.peakRatePerSecond?.(s.config);
    return {
      name: s.name,
      executor: s.executor.name,
      startMs: s.config.startTime,
      durationMs: s.executor.plannedDurationMs(s.config),
      maxEndMs: s.config.startTime + s.executor.maxDurationMs(s.config),
      ...(peakRatePerSecond !== undefined ? { peakRatePerSecond } : {}),
    };
  });
}

/** A scenario as data, as it crosses to a worker thread: its executor by the name in its config. */
export interface ScenarioData {
  name: string;
  config: BaseConfig & Record<string, unknown>;
}

export function scenarioData(options: LoadOptions): ScenarioData[] {
  return options.scenarios.map(({ name, config }) => ({ name, config }));
}

/** Scenarios resolved on the main thread, back as plans: each executor found by the name it was resolved with. */
export function scenarioPlans(scenarios: readonly ScenarioData[]): ScenarioPlan[] {
  return scenarios.map(({ name, config }) => {
    const executor = executorRegistry.get(config.executor);
    if (!executor) throw new Error(`scenario ${name}: no executor "${config.executor}"`); // resolveOptions found it
    return { name, executor, config };
  });
}
