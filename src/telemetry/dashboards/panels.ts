/**
 * Small builders for Grafana dashboard JSON (the current dashboard model, schemaVersion 41):
 * panels on a 24-column grid, queries against data sources picked by uid through dashboard
 * variables (`${datasource}` for Prometheus, `${tempo}` for Tempo), so the same file imports
 * into any Grafana whose data sources have other uids.
 */

export const SCHEMA_VERSION = 41;

export interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  [key: string]: unknown;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: unknown;
  options?: unknown;
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  time: { from: string; to: string };
  refresh: string;
  timezone: string;
  templating: { list: unknown[] };
  annotations: { list: unknown[] };
  links: unknown[];
  panels: Panel[];
}

export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };
export const TEMPO = { type: 'tempo', uid: '${tempo}' };

export const datasourceVariable = (name: string, type: string, label: string) => ({
  name,
  label,
  type: 'datasource',
  query: type,
  current: {},
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
});

/** a multi-value query variable over a label of a metric */
export const labelVariable = (name: string, metric: string, label: string, multi = true) => ({
  name,
  label: name,
  type: 'query',
  datasource: PROMETHEUS,
  query: { query: `label_values(${metric}, ${label})`, refId: `${name}-values` },
  definition: `label_values(${metric}, ${label})`,
  refresh: 2,
  multi,
  includeAll: multi,
  current: {},
  sort: 1,
  hide: 0,
  options: [],
});

/** Threshold steps: the base colour, then [value, colour] pairs. */
export const steps = (base: string, ...above: Array<[number, string]>) => [{ value: null, color: base }, ...above.map(([value, color]) => ({ value, color }))];

export const prom = (expr: string, legendFormat = '', extra: Record<string, unknown> = {}) => ({ expr, legendFormat, ...extra });

type Query = ReturnType<typeof prom>;

/** Lays panels out row by row: each call to `next(w, h)` returns the next free grid position. */
export class Grid {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 1;

  next(w: number, h: number): { id: number; gridPos: Panel['gridPos'] } {
    if (this.x + w > 24) {
      this.x = 0;
      this.y += this.rowHeight;
      this.rowHeight = 0;
    }
    const gridPos = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return { id: this.id++, gridPos };
  }

  row(title: string): Panel {
    if (this.x > 0) {
      this.x = 0;
      this.y += this.rowHeight;
    }
    const panel: Panel = { id: this.id++, type: 'row', title, collapsed: false, gridPos: { x: 0, y: this.y, w: 24, h: 1 }, panels: [] };
    this.y += 1;
    this.rowHeight = 0;
    return panel;
  }
}

const refIds = (queries: readonly Query[]): Target[] =>
  queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: PROMETHEUS, ...q }));

export function timeseries(grid: Grid, title: string, queries: Query[], opts: { unit?: string; w?: number; h?: number; description?: string; min?: number; max?: number; stack?: boolean } = {}): Panel {
  return {
    ...grid.next(opts.w ?? 12, opts.h ?? 8),
    type: 'timeseries',
    title,
    ...(opts.description ? { description: opts.description } : {}),
    datasource: PROMETHEUS,
    targets: refIds(queries),
    fieldConfig: {
      defaults: {
        unit: opts.unit ?? 'short',
        ...(opts.min !== undefined ? { min: opts.min } : {}),
        ...(opts.max !== undefined ? { max: opts.max } : {}),
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: opts.stack ? 30 : 10, showPoints: 'never', stacking: { mode: opts.stack ? 'normal' : 'none', group: 'A' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

export function stat(
  grid: Grid,
  title: string,
  query: Query,
  opts: { unit?: string; w?: number; h?: number; description?: string; thresholds?: Array<{ value: number | null; color: string }>; decimals?: number } = {},
): Panel {
  return {
    ...grid.next(opts.w ?? 6, opts.h ?? 4),
    type: 'stat',
    title,
    ...(opts.description ? { description: opts.description } : {}),
    datasource: PROMETHEUS,
    targets: refIds([query]),
    fieldConfig: {
      defaults: {
        unit: opts.unit ?? 'short',
        ...(opts.decimals !== undefined ? { decimals: opts.decimals } : {}),
        thresholds: { mode: 'absolute', steps: opts.thresholds ?? [{ value: null, color: 'green' }] },
      },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' },
  };
}

export function tempoTable(grid: Grid, title: string, traceql: string, opts: { w?: number; h?: number; description?: string; limit?: number } = {}): Panel {
  return {
    ...grid.next(opts.w ?? 12, opts.h ?? 10),
    type: 'table',
    title,
    ...(opts.description ? { description: opts.description } : {}),
    datasource: TEMPO,
    targets: [{ refId: 'A', datasource: TEMPO, queryType: 'traceql', query: traceql, limit: opts.limit ?? 20, tableType: 'traces' }],
    fieldConfig: { defaults: {}, overrides: [] },
    options: { showHeader: true },
  };
}

export function dashboard(meta: { uid: string; title: string; description: string; tags?: string[] }, panels: Panel[], extra: { variables?: unknown[]; annotations?: unknown[]; time?: string } = {}): Dashboard {
  return {
    uid: meta.uid,
    title: meta.title,
    description: meta.description,
    tags: ['peakready', ...(meta.tags ?? [])],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    time: { from: extra.time ?? 'now-1h', to: 'now' },
    refresh: '10s',
    timezone: 'browser',
    templating: { list: [datasourceVariable('datasource', 'prometheus', 'Prometheus'), ...(extra.variables ?? [])] },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        ...(extra.annotations ?? []),
      ],
    },
    links: [{ title: 'peakready dashboards', type: 'dashboards', tags: ['peakready'], asDropdown: true, includeVars: true, keepTime: true }],
    panels,
  };
}

/** Fault windows as annotations: regions where the supervisor's peakready_fault_active is 1. */
export const faultAnnotation = (metric: string) => ({
  name: 'Faults',
  datasource: PROMETHEUS,
  enable: true,
  iconColor: 'red',
  expr: `max by (proxy, kind) (${metric}) > 0`,
  step: '5s',
  titleFormat: 'fault: {{proxy}} ({{kind}})',
  tagKeys: 'proxy,kind',
  useValueForTime: false,
});
