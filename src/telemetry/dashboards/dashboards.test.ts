import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { shipped } from '../../paths.js';
import { dashboardRegistry, renderDashboard } from './index.js';
import { SCHEMA_VERSION, type Dashboard, type Panel } from './panels.js';
import { exportedSeriesNames, metricNamesIn } from './promql-names.js';

/** The names prom-client's default metrics really have, read from a live registry (not a list). */
async function promClientDefaultNames(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap((m) => (m.type === ('histogram' as never) ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}

const exported = exportedSeriesNames(await promClientDefaultNames());

function queriesOf(d: Dashboard): string[] {
  const exprs: string[] = [];
  for (const p of d.panels) for (const t of p.targets ?? []) if (typeof t.expr === 'string') exprs.push(t.expr);
  for (const v of d.templating.list as Array<{ definition?: string }>) if (v.definition) exprs.push(v.definition.replace(/^label_values\(([^,]+),.*$/, '$1'));
  for (const a of d.annotations.list as Array<{ expr?: string }>) if (a.expr) exprs.push(a.expr);
  return exprs;
}

describe('PromQL metric-name extraction', () => {
  it('finds metric names and ignores functions, labels, variables, durations and grouping', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{service="gateway", route=~"/api/.*"}[$__rate_interval])))')).toEqual([
      'http_server_request_duration_seconds_bucket',
    ]);
    expect(metricNamesIn('sum(a_total) by (x) / on (y) group_left(z) b offset 5m > 1e3 and c == bool 2')).toEqual(['a_total', 'b', 'c']);
    expect(metricNamesIn('vector(0.6)')).toEqual([]);
  });
});

describe('dashboards', () => {
  for (const [file, build] of Object.entries(dashboardRegistry)) {
    describe(file, () => {
      const d = build();

      it('is committed up to date (regenerate: npx tsx src/telemetry/dashboards/write.ts)', () => {
        const path = join(shipped('dashboards'), file);
        expect(existsSync(path)).toBe(true);
        expect(readFileSync(path, 'utf8')).toBe(renderDashboard(d));
      });

      it('is a valid current-schema dashboard with data sources picked by uid variables', () => {
        expect(d.schemaVersion).toBe(SCHEMA_VERSION);
        expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(d.title).toBeTruthy();
        const variables = (d.templating.list as Array<{ name: string; type: string }>).map((v) => v.name);
        expect(variables).toContain('datasource');
        const ids = new Set<number>();
        const occupied = new Set<string>();
        for (const p of d.panels as Panel[]) {
          expect(ids.has(p.id), `duplicate panel id ${p.id}`).toBe(false);
          ids.add(p.id);
          const { x, y, w, h } = p.gridPos;
          expect(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, `${p.title} gridPos ${JSON.stringify(p.gridPos)}`).toBe(true);
          for (let dx = 0; dx < w; dx++)
            for (let dy = 0; dy < h; dy++) {
              const cell = `${x + dx},${y + dy}`;
              expect(occupied.has(cell), `${p.title} overlaps another panel at ${cell}`).toBe(false);
              occupied.add(cell);
            }
          if (p.type === 'row') continue;
          expect(p.targets?.length, `${p.title} has no query`).toBeGreaterThan(0);
          for (const t of p.targets!) {
            const uid = t.datasource.uid.replace(/^\$\{(\w+)\}$/, '$1');
            expect(variables, `${p.title}: data source ${t.datasource.uid} is not a dashboard variable`).toContain(uid);
            expect(t.refId).toMatch(/^[A-Z]$/);
          }
        }
      });

      it('queries only metrics the stack exports', () => {
        const unknown = queriesOf(d).flatMap((q) => metricNamesIn(q).filter((n) => !exported.has(n)).map((n) => `${n} in ${q}`));
        expect(unknown).toEqual([]);
      });
    });
  }

  it('the overview holds requests/s, errors, p95 by route and the checkout SLO; faults are annotations', () => {
    const overview = dashboardRegistry['overview.json']!();
    const titles = overview.panels.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Requests/s by route', 'Errors/s by route (5xx)', 'p95 latency by route', 'Availability (5m)', 'Under 500 ms (5m)']));
    expect(dashboardRegistry['faults.json']!().annotations.list).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Faults', expr: expect.stringContaining('peakready_fault_active') })]));
    const traces = dashboardRegistry['traces.json']!();
    expect(traces.panels.some((p) => p.targets?.some((t) => t.queryType === 'traceql'))).toBe(true);
    expect(traces.panels.some((p) => p.targets?.some((t) => t.exemplar === true))).toBe(true);
  });
});

const promtool = '/usr/bin/promtool';
const rules = shipped('alerts/peakready.rules.yml');

describe('alert rules', () => {
  it('name only metrics the stack exports, and cover the three alerts', () => {
    const doc = parse(readFileSync(rules, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const all = doc.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(['RecommendationsDegraded', 'AutoscalerAtMaxReplicas', 'HighEventLoopLag']);
    expect(all.flatMap((r) => metricNamesIn(r.expr).filter((n) => !exported.has(n)))).toEqual([]);
  });

  it.runIf(existsSync(promtool))('pass promtool check rules and their promtool unit tests', () => {
    expect(execFileSync(promtool, ['check', 'rules', rules], { encoding: 'utf8' })).toMatch(/SUCCESS: 3 rules found/);
    expect(execFileSync(promtool, ['test', 'rules', shipped('alerts/peakready.rules.test.yml')], { encoding: 'utf8' })).toMatch(/SUCCESS/);
  });
});
