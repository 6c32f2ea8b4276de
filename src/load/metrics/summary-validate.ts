import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../../errors.js';
import { pathId, type K6SummaryData, type K6SummaryGroup } from './summary-data.js';

// Local rules sit in each schema's refinement, so one broken metric or check does not hide the
// problems of the others; rules across parts (trend stats vs options, paths vs parents) run after.

const idOfPath = (value: { id: string; path: string }, ctx: z.RefinementCtx): void => {
  if (value.id !== pathId(value.path)) ctx.addIssue({ code: 'custom', path: ['id'], message: `"${value.id}" is not the md5 of the path "${value.path}"` });
};

const check = z
  .object({ name: z.string(), path: z.string(), id: z.string(), passes: z.number().int().nonnegative(), fails: z.number().int().nonnegative() })
  .superRefine(idOfPath);

const group: z.ZodType<K6SummaryGroup> = z.lazy(() =>
  z.object({ name: z.string(), path: z.string(), id: z.string(), groups: z.array(group), checks: z.array(check) }).superRefine(idOfPath),
);

const VALUES_BY_TYPE: Record<string, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
  rate: ['rate', 'passes', 'fails'],
};

const metric = z
  .object({
    type: z.enum(['counter', 'gauge', 'rate', 'trend']),
    contains: z.enum(['default', 'time', 'data']),
    values: z.record(z.string(), z.number()),
    thresholds: z.record(z.string(), z.object({ ok: z.boolean() }, { error: 'must be {"ok": true|false}' })).optional(),
  })
  .superRefine((m, ctx) => {
    const expected = VALUES_BY_TYPE[m.type];
    if (!expected) return; // trends are checked against options.summaryTrendStats below
    valueKeys(m.type, Object.keys(m.values), expected, (message) => ctx.addIssue({ code: 'custom', path: ['values'], message }));
  });

const summary = z.object({
  root_group: group,
  options: z.object({ summaryTrendStats: z.array(z.string()), summaryTimeUnit: z.string(), noColor: z.boolean() }),
  state: z.object({ isStdOutTTY: z.boolean(), isStdErrTTY: z.boolean(), testRunDurationMs: z.number().nonnegative() }),
  metrics: z.record(z.string(), metric),
  setup_data: z.unknown().optional(),
});

function valueKeys(type: string, keys: readonly string[], expected: readonly string[], fail: (message: string) => void): void {
  const missing = expected.filter((k) => !keys.includes(k));
  if (missing.length) fail(`a ${type} must have ${missing.map((k) => `"${k}"`).join(', ')}`);
  const extra = keys.filter((k) => !expected.includes(k) && !(type === 'trend' && k === 'count'));
  if (extra.length) fail(`${extra.map((k) => `"${k}"`).join(', ')} do not belong to a ${type}`);
}

/**
 * Checks that `json` is a k6 handleSummary object: the shape, each metric's values for its type
 * (a trend has every summaryTrendStats key), thresholds as {ok}, every group and check path under
 * its parent and its id the md5 of its path. Throws a ConfigError naming each problem's JSON path;
 * returns the typed data.
 */
export function validateSummaryData(json: unknown, source = 'summary'): K6SummaryData {
  const parsed = summary.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ file: source, field: jsonPath(i.path), message: i.message })));
  }
  const data = parsed.data as K6SummaryData;
  const issues: ConfigIssue[] = [];
  const fail = (field: string, message: string): void => void issues.push({ file: source, field, message });
  for (const [name, m] of Object.entries(data.metrics)) {
    if (m.type === 'trend') valueKeys('trend', Object.keys(m.values), data.options.summaryTrendStats, (message) => fail(`metrics["${name}"].values`, message));
  }
  if (data.root_group.name !== '' || data.root_group.path !== '') fail('root_group', 'the root group must have name "" and path ""');
  checkPaths(data.root_group, 'root_group', fail);
  if (issues.length) throw new ConfigError(issues);
  return data;
}

function checkPaths(g: K6SummaryGroup, field: string, fail: (field: string, message: string) => void): void {
  g.checks.forEach((c, i) => {
    if (c.path !== `${g.path}::${c.name}`) fail(`${field}.checks[${i}].path`, `"${c.path}" should be "${g.path}::${c.name}"`);
  });
  g.groups.forEach((child, i) => {
    if (child.path !== `${g.path}::${child.name}`) fail(`${field}.groups[${i}].path`, `"${child.path}" should be "${g.path}::${child.name}"`);
    checkPaths(child, `${field}.groups[${i}]`, fail);
  });
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_]\w*$/.test(String(p)) ? `${i ? '.' : ''}${String(p)}` : `["${String(p)}"]`)).join('');
}
