import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../../errors.js';
import { pathId, type K6SummaryData, type K6SummaryGroup } from './summary-data.js';

const check = z.object({
  name: z.string(),
  path: z.string(),
  id: z.string(),
  passes: z.number().int().nonnegative(),
  fails: z.number().int().nonnegative(),
});

const group: z.ZodType<K6SummaryGroup> = z.lazy(() =>
  z.object({ name: z.string(), path: z.string(), id: z.string(), groups: z.array(group), checks: z.array(check) }),
);

const metric = z.object({
  type: z.enum(['counter', 'gauge', 'rate', 'trend']),
  contains: z.enum(['default', 'time', 'data']),
  values: z.record(z.string(), z.number()),
  thresholds: z.record(z.string(), z.object({ ok: z.boolean() }, { error: 'must be {"ok": true|false}' })).optional(),
});

const summary = z.object({
  root_group: group,
  options: z.object({ summaryTrendStats: z.array(z.string()), summaryTimeUnit: z.string(), noColor: z.boolean() }),
  state: z.object({ isStdOutTTY: z.boolean(), isStdErrTTY: z.boolean(), testRunDurationMs: z.number().nonnegative() }),
  metrics: z.record(z.string(), metric),
  setup_data: z.unknown().optional(),
});

const VALUES_BY_TYPE: Record<string, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
  rate: ['rate', 'passes', 'fails'],
};

/**
 * Checks that `json` is a k6 handleSummary object: the shape, each metric's values for its type
 * (a trend has every summaryTrendStats key), thresholds as {ok}, and every group and check id the
 * md5 of its path. Throws a ConfigError naming each problem's JSON path; returns typed data.
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
    const expected = m.type === 'trend' ? data.options.summaryTrendStats : VALUES_BY_TYPE[m.type]!;
    const missing = expected.filter((k) => !(k in m.values));
    if (missing.length) fail(`metrics["${name}"].values`, `a ${m.type} must have ${missing.map((k) => `"${k}"`).join(', ')}`);
    const extra = Object.keys(m.values).filter((k) => !expected.includes(k) && !(m.type === 'trend' && k === 'count'));
    if (extra.length) fail(`metrics["${name}"].values`, `${extra.map((k) => `"${k}"`).join(', ')} do not belong to a ${m.type}`);
  }
  checkGroup(data.root_group, '', 'root_group', fail);
  if (data.root_group.name !== '' || data.root_group.path !== '') fail('root_group', 'the root group must have name "" and path ""');
  if (issues.length) throw new ConfigError(issues);
  return data;
}

function checkGroup(g: K6SummaryGroup, parentPath: string, field: string, fail: (field: string, message: string) => void): void {
  if (field !== 'root_group' && g.path !== `${parentPath}::${g.name}`) fail(`${field}.path`, `"${g.path}" should be "${parentPath}::${g.name}"`);
  if (g.id !== pathId(g.path)) fail(`${field}.id`, `"${g.id}" is not the md5 of the path "${g.path}"`);
  g.checks.forEach((c, i) => {
    if (c.path !== `${g.path}::${c.name}`) fail(`${field}.checks[${i}].path`, `"${c.path}" should be "${g.path}::${c.name}"`);
    if (c.id !== pathId(c.path)) fail(`${field}.checks[${i}].id`, `"${c.id}" is not the md5 of the path "${c.path}"`);
  });
  g.groups.forEach((child, i) => checkGroup(child, g.path, `${field}.groups[${i}]`, fail));
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_]\w*$/.test(String(p)) ? `${i ? '.' : ''}${String(p)}` : `["${String(p)}"]`)).join('');
}
