import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { shipped } from '../../paths.js';
import type { RequestRecord, SpanRecord } from '../../run/records.js';
import { faultWindows } from '../../run/timeline.js';
import { tableCells } from '../../../test/support/table-cells.js';
import { decodeJsonRequest } from '../otlp/decode.js';
import { otlpJsonRequest, sampleCheckoutTrace, type SampleTrace } from '../otlp/sample-traces.js';
import {
  assembleTraces,
  criticalPath,
  errorsByService,
  evaluateTraceRules,
  findPropagationProblems,
  grafanaTraceLink,
  loadTraceRules,
  parseTraceRules,
  slowestTraces,
  tracingCompleteness,
} from './index.js';
import { formatTraceReport, type TraceRunReport } from './run-report.js';

const T0 = 1_800_000_000_000;

function spansOf(...traces: SampleTrace[]): SpanRecord[] {
  return decodeJsonRequest(JSON.stringify(otlpJsonRequest(traces))).spans;
}

function checkout(i: number): { sample: SampleTrace; spans: SpanRecord[] } {
  const sample = sampleCheckoutTrace(T0 + i * 1000);
  return { sample, spans: spansOf(sample) };
}

const byService = (spans: SpanRecord[], service: string, kind = 'SERVER') => spans.find((s) => s.service === service && s.kind === kind)!;

describe('trace assembly and propagation', () => {
  it('assembles a client-started checkout trace with no problems', () => {
    const { sample, spans } = checkout(0);
    const [trace] = assembleTraces([...spans, spans[3]!]);
    expect(trace!.spans).toHaveLength(10);
    expect(trace!.root).toMatchObject({ service: 'gateway', kind: 'SERVER', parentSpanId: sample.clientSpanId });
    expect(trace!.orphans).toEqual([]);
    expect(trace!.services).toEqual(['checkout', 'gateway', 'inventory', 'orders', 'payments']);
    expect(trace!.durationMs).toBe(20);
    expect(findPropagationProblems([trace!])).toEqual([]);
  });

  it('finds an orphan whose parent never arrived', () => {
    const { spans } = checkout(0);
    const lostClient = byService(spans, 'checkout', 'CLIENT');
    const problems = findPropagationProblems(assembleTraces(spans.filter((s) => s !== lostClient)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'orphan', service: 'inventory', detail: `parent span ${lostClient.spanId} never arrived` });
  });

  it('finds a hop that started a new trace, naming the caller', () => {
    const { spans } = checkout(0);
    // payments ignored traceparent: its server span (and below) sit in a trace of their own
    const payments = byService(spans, 'payments');
    const split = spans.map((s) => (s === payments ? { ...s, traceId: 'f'.repeat(32), parentSpanId: undefined } : s)) as SpanRecord[];
    const problems = findPropagationProblems(assembleTraces(split));
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'new-trace-hop', traceId: 'f'.repeat(32), service: 'payments', callerTraceId: spans[0]!.traceId }),
    ]);
  });

  it('finds a trace the entry service started itself instead of continuing the client', () => {
    const { spans } = checkout(0);
    const gateway = byService(spans, 'gateway');
    const problems = findPropagationProblems(assembleTraces(spans.map((s) => (s === gateway ? { ...s, parentSpanId: undefined } : s)) as SpanRecord[]));
    expect(problems).toEqual([expect.objectContaining({ kind: 'missing-client-root', service: 'gateway' })]);
    expect(findPropagationProblems(assembleTraces(spans.map((s) => (s === gateway ? { ...s, parentSpanId: undefined } : s)) as SpanRecord[]), { clientStarted: false })).toEqual([]);
  });
});

describe('tracing completeness', () => {
  it('counts requests whose trace continued the client span and has no orphans', () => {
    const ok = checkout(0);
    const orphaned = checkout(1);
    const wrongParent = checkout(2);
    const noResponse = sampleCheckoutTrace(T0 + 3000);
    const lost = sampleCheckoutTrace(T0 + 4000);
    const traces = assembleTraces([...ok.spans, ...orphaned.spans.filter((s) => s !== byService(orphaned.spans, 'checkout', 'CLIENT')), ...wrongParent.spans]);
    const req = (s: SampleTrace, status = 200, spanId = s.clientSpanId): RequestRecord => ({ t: T0, scenario: 'x', name: 'checkout', method: 'POST', status, duration: 1, failed: status !== 200, traceId: s.traceId, spanId });
    const result = tracingCompleteness(
      [req(ok.sample), req(orphaned.sample), req(wrongParent.sample, 200, 'a'.repeat(16)), req(noResponse, 0), req(lost)],
      traces,
    );
    expect(result).toMatchObject({ sent: 4, complete: 1, ratio: 0.25, reasons: { orphans: 1, 'entry-not-continued': 1, 'no-trace': 1 } });
    expect(result.missing.sort()).toEqual([orphaned.sample.traceId, wrongParent.sample.traceId, lost.traceId].sort());
    expect(tracingCompleteness([], traces).ratio).toBe(1);
  });

  it('holds the entry span to a named entry service only: no system is assumed to start at a gateway', () => {
    const ok = checkout(0);
    const requests: RequestRecord[] = [{ t: T0, scenario: 'x', name: 'checkout', method: 'POST', status: 200, duration: 1, failed: false, traceId: ok.sample.traceId, spanId: ok.sample.clientSpanId }];
    const traces = assembleTraces(ok.spans);
    expect(tracingCompleteness(requests, traces)).toMatchObject({ complete: 1 });
    expect(tracingCompleteness(requests, traces, { entryService: 'gateway' })).toMatchObject({ complete: 1 });
    expect(tracingCompleteness(requests, traces, { entryService: 'storefront' })).toMatchObject({ complete: 0, reasons: { 'wrong-entry': 1 } });
  });
});

describe('trace rules', () => {
  const rules = loadTraceRules(shipped('scenarios/trace-rules.yaml'));

  it('passes the shipped checkout rules on complete traces', () => {
    const traces = assembleTraces([...checkout(0).spans, ...checkout(1).spans]);
    const results = evaluateTraceRules(traces, rules, {});
    expect(results.map((r) => [r.id, r.status, r.tracesChecked])).toEqual([
      ['checkout-trace-complete', 'pass', 2],
      ['checkout-no-errors', 'pass', 2],
    ]);
  });

  it('fails a checkout trace missing payments and one wrongly parented, naming them', () => {
    const a = checkout(0).spans;
    const b = checkout(1).spans;
    const orders = byService(b, 'orders');
    const traces = assembleTraces([
      ...a.filter((s) => s.service !== 'payments'),
      ...b.map((s) => (s === orders ? { ...s, parentSpanId: byService(b, 'gateway', 'CLIENT').spanId } : s)),
    ]);
    const [complete] = evaluateTraceRules(traces, rules);
    expect(complete).toMatchObject({ status: 'fail', tracesChecked: 2, tracesFailed: 2 });
    expect(complete!.failures.map((f) => f.message)).toEqual([
      '0 × payments SERVER, want >= 1',
      'orders SERVER "POST /orders" has parent gateway CLIENT "POST", want checkout CLIENT',
    ]);
  });

  it('forgives errors during a fault window only', () => {
    const { spans } = checkout(0);
    const payments = byService(spans, 'payments');
    const traces = assembleTraces(spans.map((s) => (s === payments ? { ...s, status: 'ERROR', statusMessage: 'upstream reset' } : s)));
    const noFault = evaluateTraceRules(traces, rules)[1]!;
    expect(noFault).toMatchObject({ status: 'fail', forgiven: 0 });
    expect(noFault.failures[0]!.message).toBe('payments SERVER "POST /charges" has status ERROR (upstream reset), want not ERROR');
    const timeline = [
      { t: T0 - 10, type: 'fault' as const, state: 'on' as const, experiment: 'x', proxy: 'payments', kind: 'toxic' as const },
      { t: T0 + 100, type: 'fault' as const, state: 'off' as const, experiment: 'x', proxy: 'payments', kind: 'toxic' as const },
    ];
    const windows = faultWindows(timeline, T0 + 1000);
    expect(windows).toMatchObject([{ start: T0 - 10, end: T0 + 100, proxy: 'payments' }]);
    expect(evaluateTraceRules(traces, rules, { faultWindows: windows })[1]).toMatchObject({ status: 'pass', forgiven: 1 });
    expect(evaluateTraceRules(traces, rules, { faultWindows: [{ start: T0 + 500, end: T0 + 900, proxy: 'payments' }] })[1]!.status).toBe('fail');
  });

  it('lets a client span be ERROR for a 4xx answer only', () => {
    const { spans } = checkout(0);
    const lookup = byService(spans, 'checkout', 'CLIENT');
    const with404 = spans.map((s) => (s === lookup ? { ...s, status: 'ERROR', attributes: { ...s.attributes, 'http.response.status_code': 404 } } : s));
    expect(evaluateTraceRules(assembleTraces(with404), rules)[1]!.status).toBe('pass');
    const noAnswer = spans.map((s) => (s === lookup ? { ...s, status: 'ERROR', attributes: { 'url.full': 'http://x/y', 'error.type': 'ECONNRESET' } } : s));
    expect(evaluateTraceRules(assembleTraces(noAnswer), rules)[1]!.failures.map((f) => f.message)).toEqual(['checkout CLIENT "POST": http.response.status_code is absent']);
  });

  it('asserts durations, attributes and ancestors, and skips when nothing matches', () => {
    const traces = assembleTraces(checkout(0).spans);
    const custom = parseTraceRules(`
rules:
  - id: db-under-gateway
    traces: { has: { name: "UPDATE *" } }
    expect:
      - spans: { attributes: { db.system.name: postgresql } }
        count: 1
        ancestor: { service: gateway, kind: SERVER }
        duration: { max: 5ms }
        attributes: { db.operation.name: { in: [SELECT, INSERT] }, server.port: { gte: 7000 } }
  - id: nothing
    traces: { root: { name: "/^GET /" } }
    expect: [{ count: 0 }]
`);
    const [db, nothing] = evaluateTraceRules(traces, custom);
    expect(db!.failures.map((f) => f.message)).toEqual([
      'inventory CLIENT "UPDATE peakready" took 10.0 ms, want <= 5 ms',
      'inventory CLIENT "UPDATE peakready": db.operation.name is "UPDATE", want one of ["SELECT","INSERT"]',
    ]);
    expect(nothing!.status).toBe('skip');
  });

  it('reports every mistake in a rules file with line and field', () => {
    let error: unknown;
    try {
      parseTraceRules(
        `rules:
  - id: Bad_Id
    traces: { root: { kind: SERVR } }
    expect:
      - spans: { service: checkout }
        duration: { max: 2 sec }
      - spans: { service: x }
`,
        'rules.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect(text).toMatch(/rules\.yaml:2 rules\[0\]\.id: use lower-case/);
    expect(text).toMatch(/rules\.yaml:3 rules\[0\]\.traces\.root\.kind/);
    expect(text).toMatch(/rules\.yaml:6 rules\[0\]\.expect\[0\]\.duration\.max: .*"2 sec" is not a duration; write it like "30s"/);
    expect(text).toMatch(/rules\.yaml:7 rules\[0\]\.expect\[1\]: an assertion needs at least one of/);
  });
});

describe('trace analysis', () => {
  it('finds the slowest traces, errors by service and the critical path', () => {
    const a = checkout(0).spans;
    const b = checkout(1).spans.map((s) => (s.service === 'orders' ? { ...s, status: 'ERROR', statusMessage: 'deadlock' } : s));
    const traces = assembleTraces([...a, ...b]);
    expect(slowestTraces(traces, 1)).toHaveLength(1);
    expect(errorsByService(traces)[0]).toEqual({ service: 'orders', spans: 2, errors: 1, top: [{ what: 'POST /orders: deadlock', count: 1 }] });
    const path = criticalPath(traces[0]!);
    // sample trace: the gateway server span covers everything; checkout's calls are sequential
    expect(path.map((s) => `${s.service}:${s.kind}`)).toEqual([
      'gateway:SERVER',
      'gateway:CLIENT',
      'checkout:SERVER',
      'checkout:CLIENT',
      'inventory:SERVER',
      'inventory:CLIENT',
    ]);
    expect(path.reduce((sum, s) => sum + s.selfMs, 0)).toBeCloseTo(traces[0]!.durationMs, 6);
  });

  it("judges errors by span status and the caller's expectations, not by a client's 4xx alone", () => {
    // checkout's call to inventory answered 409 (sold out): semconv marks the CLIENT span ERROR
    const soldOut = (spans: SpanRecord[], callerFailed: boolean) =>
      spans.map((s) => {
        if (s.kind === 'CLIENT' && String(s.attributes['url.full']).endsWith('/reservations')) return { ...s, status: 'ERROR', attributes: { ...s.attributes, 'http.response.status_code': 409, 'error.type': '409' } };
        if (s.kind === 'SERVER' && s.service === 'checkout' && callerFailed) return { ...s, status: 'ERROR', attributes: { ...s.attributes, 'http.response.status_code': 502 } };
        return s;
      });
    // in its stride: checkout answered the buyer (no error on its own span), so it is no error
    const handled = errorsByService(assembleTraces(soldOut(checkout(0).spans, false)));
    expect(handled.find((e) => e.service === 'checkout')).toMatchObject({ errors: 0, handled: 1 });
    // the caller failed with it: an error
    const failed = errorsByService(assembleTraces(soldOut(checkout(1).spans, true)));
    expect(failed.find((e) => e.service === 'checkout')).toMatchObject({ errors: 2 });
    expect(failed.find((e) => e.service === 'checkout')!.handled).toBeUndefined();
  });

  for (const width of [80, 120]) {
    it(`prints every table of \`peakready traces\` within ${width} columns, long messages wrapped`, () => {
      const long = 'upstream recommendations timed out after 150 ms; the breaker opened; '.repeat(12);
      const report: TraceRunReport = {
        runId: 'r',
        spans: 40,
        traces: 2,
        slowest: [{ traceId: 'ab'.repeat(16), root: 'POST /api/checkout', service: 'gateway', durationMs: 1234.5, spans: 20, errors: 2, startMs: T0 }],
        errors: [
          { service: 'gateway', spans: 20, errors: 12, top: [{ what: `GET /api/products/:id: ${long}`, count: 9 }, { what: 'POST /api/checkout: 502', count: 3 }] },
          { service: 'recommendations', spans: 9, errors: 9, top: [{ what: long, count: 9 }] },
        ],
        handled: [{ service: 'checkout', handled: 162 }],
        failedRequests: [],
        failedRequestsTotal: 0,
        problems: [],
      };
      const text = formatTraceReport(report, { color: false, width });
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
      expect(text.replace(/\s+/g, ' ')).toContain('not counted: CLIENT spans marked ERROR for a 4xx answer their caller did not fail on (checkout 162)');
      const errors = tableCells(text.slice(text.indexOf('Errors by service')));
      expect(errors[0]).toEqual(['service', 'error spans', 'of spans', 'most frequent']);
      expect(errors.slice(1).map((r) => r.slice(0, 3))).toEqual([['gateway', '12', '20'], ['recommendations', '9', '9']]);
      // a message is cut to its gist, not printed whole
      expect(errors[1]![3]!.length).toBeLessThan(300);
    });
  }

  it('builds a Grafana Explore link to the Tempo data source', () => {
    const link = grafanaTraceLink('http://grafana:3000/', 'ab'.repeat(16), 'tempo-uid', { from: 1000, to: 2000 });
    const url = new URL(link);
    expect(url.pathname).toBe('/explore');
    expect(url.searchParams.get('schemaVersion')).toBe('1');
    const panes = JSON.parse(url.searchParams.get('panes')!) as Record<string, { datasource: string; queries: Array<Record<string, unknown>>; range: unknown }>;
    const pane = Object.values(panes)[0]!;
    expect(pane.datasource).toBe('tempo-uid');
    expect(pane.queries[0]).toMatchObject({ queryType: 'traceql', query: 'ab'.repeat(16), datasource: { type: 'tempo', uid: 'tempo-uid' } });
    expect(pane.range).toEqual({ from: '1000', to: '2000' });
  });
});
