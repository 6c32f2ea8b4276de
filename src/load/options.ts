import { z } from 'zod';
import { ConfigError, didYouMean, type ConfigIssue } from '../errors.js';
import { durationMs, notADuration } from '../util/duration.js';
import { validateTrendStats } from './metrics/summary.js';
import { baseSchema, type BaseConfig } from './executors/base.js';
import { executorRegistry } from './executors/index.js';
import type { ExecutorPlugin } from './executors/types.js';
import type { HttpDebug } from './vu-context.js';
import { parseHosts, type HostsMap } from './modules/hosts.js';

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
  /** `--http-debug`: each request and response written to stderr, without or with (`full`) bodies */
  httpDebug: HttpDebug;
  /** k6's `hosts`: DNS overrides (`modules/hosts.ts`); undefined when the script sets none */
  hosts?: HostsMap;
}

/**
 * What the command line (and k6's `--config` file) sets over a script's `options`, in k6's order:
 * the config file under the script's options, the flags over both. `vus`, `duration`,
 * `iterations` and `stages` replace the script's scenarios with the shortcut one, as k6's do.
 */
export interface Overrides {
  vus?: number;
  duration?: string;
  iterations?: number;
  /** `--stage 30s:10` (repeatable): a ramping-vus shortcut */
  stages?: Array<{ duration: string; target: number }>;
  /** `--no-thresholds`: the script's thresholds are not evaluated */
  noThresholds?: boolean;
  /** flags that replace one plain option each (`--tag` → tags, `--summary-trend-stats` → summaryTrendStats, ...) */
  options?: Partial<Record<PlainOption, unknown>>;
  /** `--config FILE`: k6's JSON config, its options under the script's own */
  config?: Record<string, unknown>;
}

/** Options a flag replaces whole, as k6's flags do (no merge: `--tag` replaces the script's tags). */
export const PLAIN_OPTIONS = [
  'tags',
  'summaryTrendStats',
  'summaryTimeUnit',
  'setupTimeout',
  'teardownTimeout',
  'noConnectionReuse',
  'discardResponseBodies',
  'maxRedirects',
  'userAgent',
  'insecureSkipTLSVerify',
  'httpDebug',
] as const;
export type PlainOption = (typeof PLAIN_OPTIONS)[number];

const EXECUTION_KEYS = ['vus', 'duration', 'iterations', 'stages', 'scenarios'] as const;

/** The script's options with the config file under them and the flags over them (k6's layering). */
function layered(raw: unknown, overrides: Overrides): unknown {
  if (!overrides.config && !overrides.options && !overrides.noThresholds) return raw;
  const script = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const config = { ...overrides.config };
  // as k6: a layer that sets how the test executes replaces the execution options of the layers under it
  if (EXECUTION_KEYS.some((k) => script[k] !== undefined)) for (const k of EXECUTION_KEYS) delete config[k];
  const merged: Record<string, unknown> = { ...config, ...script, ...overrides.options };
  if (overrides.noThresholds) delete merged.thresholds;
  return merged;
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
  // k6: "" off, "full" with bodies; any other text (and true) headers only
  httpDebug: z.union([z.string(), z.boolean()]).optional(),
  hosts: z.unknown().optional(),
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
  const { vus, duration, iterations, stages } = overrides;
  const usesOverride = vus !== undefined || duration !== undefined || iterations !== undefined || stages !== undefined;
  if (usesOverride) {
    // as k6: --vus/--duration/--iterations/--stage replace the script's scenarios with the shortcut one
    const merged = { ...o, ...(vus !== undefined ? { vus } : {}), ...(duration !== undefined ? { duration } : {}), ...(iterations !== undefined ? { iterations } : {}), ...(stages ? { stages } : {}) };
    if ((duration !== undefined || stages) && iterations === undefined) delete merged.iterations;
    if (stages && duration === undefined) delete merged.duration;
    if (vus !== undefined && duration === undefined && iterations === undefined && !stages && o.scenarios && !o.duration && !o.iterations && !o.stages) {
      merged.duration = '30s';
    }
    if ((duration !== undefined || iterations !== undefined) && !stages) delete merged.stages;
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

/** k6's `userAgent` option when the script sets none (k6 sends its own name and version). */
export const DEFAULT_USER_AGENT = 'peakready/0.1 (k6-compatible; https://k6.io/)';

export function resolveOptions(raw: unknown, file: string, overrides: Overrides = {}): LoadOptions {
  const parsed = topSchema.safeParse(layered(raw, overrides) ?? {});
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
  if (o.summaryTrendStats) {
    try {
      validateTrendStats(o.summaryTrendStats, file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues.map((i) => ({ ...i, field: `options.${i.field}` })));
    }
  }
  if (o.summaryTimeUnit !== undefined && !['', 's', 'ms', 'us'].includes(o.summaryTimeUnit)) {
    issues.push({ file, field: 'options.summaryTimeUnit', message: `"${o.summaryTimeUnit}" is not a time unit; use s, ms or us` });
  }
  const hosts = parseHosts(o.hosts);
  for (const p of hosts.problems) issues.push({ file, field: p.key ? `options.hosts["${p.key}"]` : 'options.hosts', message: p.message });
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
    userAgent: o.userAgent ?? DEFAULT_USER_AGENT,
    insecureSkipTLSVerify: o.insecureSkipTLSVerify ?? false,
    httpDebug: o.httpDebug === 'full' ? 'full' : o.httpDebug ? 'headers' : '',
    ...(hosts.hosts ? { hosts: hosts.hosts } : {}),
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
