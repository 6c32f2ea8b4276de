import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from './records.js';
import { activeFaults, faultWindows, inAny, kubernetesLeftovers, namedIntervals, OUTAGE, outageIntervals, phaseIntervals, replicaStarts, requestsDuring, runSpan, union } from './timeline.js';

type FaultEvent = Extract<TimelineEvent, { type: 'fault' }>;

const disable = (t: number, state: 'on' | 'off', proxy: string, experiment = 'x'): FaultEvent => ({ t, type: 'fault', state, experiment, proxy, kind: 'disable' });
const toxic = (t: number, state: 'on' | 'off', proxy: string, name = 'peakready-latency', experiment = 'x'): FaultEvent => ({
  t,
  type: 'fault',
  state,
  experiment,
  proxy,
  kind: 'toxic',
  toxic: { name, type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100 } },
});
const phase = (t: number, state: 'start' | 'end', name: string): TimelineEvent => ({ t, type: 'phase', state, phase: name });
const spans = (windows: ReadonlyArray<{ start: number; end: number }>) => windows.map(({ start, end }) => [start, end]);

describe('fault windows', () => {
  it('pairs each on with the off of the same proxy and toxic', () => {
    const windows = faultWindows([toxic(10, 'on', 'payments'), toxic(40, 'off', 'payments')], 100);
    expect(windows).toEqual([{ start: 10, end: 40, proxy: 'payments', experiment: 'x', kind: 'toxic', toxic: { name: 'peakready-latency', type: 'latency' } }]);
  });

  it('keeps overlapping faults on different proxies apart', () => {
    const timeline = [disable(10, 'on', 'recommendations'), toxic(20, 'on', 'payments'), disable(30, 'off', 'recommendations'), toxic(50, 'off', 'payments')];
    expect(faultWindows(timeline, 100).map((w) => [w.proxy, w.start, w.end])).toEqual([
      ['recommendations', 10, 30],
      ['payments', 20, 50],
    ]);
    expect(spans(outageIntervals(timeline, 100))).toEqual([[10, 50]]);
  });

  it('keeps two toxics on one proxy apart, and a toxic apart from the proxy being disabled', () => {
    const timeline = [toxic(10, 'on', 'p', 'a'), toxic(20, 'on', 'p', 'b'), disable(25, 'on', 'p'), toxic(30, 'off', 'p', 'a'), disable(35, 'off', 'p'), toxic(60, 'off', 'p', 'b')];
    expect(faultWindows(timeline, 100).map((w) => [w.toxic?.name ?? 'down', w.start, w.end])).toEqual([
      ['a', 10, 30],
      ['b', 20, 60],
      ['down', 25, 35],
    ]);
  });

  it('gives a repeated fault one window per time it was on', () => {
    const timeline = [disable(10, 'on', 'p'), disable(20, 'off', 'p'), disable(50, 'on', 'p'), disable(70, 'off', 'p')];
    expect(spans(faultWindows(timeline, 100))).toEqual([
      [10, 20],
      [50, 70],
    ]);
  });

  it('treats a second on while on (an updated toxic) as the same fault, not a new one', () => {
    const timeline = [toxic(10, 'on', 'p'), toxic(20, 'on', 'p'), toxic(30, 'on', 'p'), toxic(40, 'off', 'p')];
    expect(spans(faultWindows(timeline, 100))).toEqual([[10, 40]]);
  });

  it('closes a fault never switched off at the run end', () => {
    expect(spans(faultWindows([toxic(10, 'on', 'p')], 100))).toEqual([[10, 100]]);
    // a run end recorded before the fault (clock skew between writers) never makes a negative window
    expect(spans(faultWindows([toxic(10, 'on', 'p')], 5))).toEqual([[10, 10]]);
  });

  it('pairs by proxy, not experiment: the first enable brings a twice-disabled proxy back', () => {
    const timeline = [disable(10, 'on', 'p', 'a'), disable(20, 'on', 'p', 'b'), disable(30, 'off', 'p', 'a'), disable(40, 'off', 'p', 'b')];
    expect(faultWindows(timeline, 100)).toMatchObject([{ start: 10, end: 30, experiment: 'a' }]);
  });

  it('ignores an off with no on (a toxic that was there before the run, removed by an experiment)', () => {
    expect(faultWindows([toxic(10, 'off', 'p', 'theirs')], 100)).toEqual([]);
  });
});

describe('active faults', () => {
  const timeline = [disable(10, 'on', 'recommendations'), toxic(20, 'on', 'payments'), disable(30, 'off', 'recommendations')];

  it('lists the faults on at an instant, a fault not yet switched off included', () => {
    expect(activeFaults(timeline, 25).map((w) => w.proxy)).toEqual(['recommendations', 'payments']);
    expect(activeFaults(timeline, 30).map((w) => w.proxy)).toEqual(['payments']);
    expect(activeFaults(timeline, 5_000_000)).toMatchObject([{ proxy: 'payments', toxic: { type: 'latency' } }]);
    expect(activeFaults(timeline, 5)).toEqual([]);
  });
});

describe('phases and named intervals', () => {
  it('pairs phases by name, closes an open one at the run end and adds the outage', () => {
    const timeline = [phase(0, 'start', 'baseline'), phase(20, 'end', 'baseline'), phase(20, 'start', 'surge'), disable(30, 'on', 'p'), disable(40, 'off', 'p')];
    const named = namedIntervals(timeline, 60);
    expect([...named.keys()]).toEqual(['baseline', 'surge', OUTAGE]);
    expect(spans(named.get('surge')!)).toEqual([[20, 60]]);
    expect(spans(named.get(OUTAGE)!)).toEqual([[30, 40]]);
    expect(phaseIntervals(timeline, 60).has(OUTAGE)).toBe(false);
  });

  it('has no outage entry when no fault was on', () => {
    expect(namedIntervals([phase(0, 'start', 'baseline')], 10).has(OUTAGE)).toBe(false);
  });
});

describe('replica start windows', () => {
  it('runs from started to the replica\'s next event, or to the run end', () => {
    const replica = (t: number, id: string, state: 'started' | 'ready' | 'crashed'): TimelineEvent => ({ t, type: 'replica', service: 'catalog', replica: id, pid: 1, state });
    const timeline = [replica(10, 'c-2', 'started'), replica(15, 'c-3', 'started'), replica(30, 'c-2', 'ready'), replica(40, 'c-3', 'crashed'), replica(50, 'c-4', 'started')];
    expect(spans(replicaStarts(timeline, 90))).toEqual([
      [10, 30],
      [15, 40],
      [50, 90],
    ]);
  });
});

describe('run span and interval helpers', () => {
  const request = (t: number, scenario = 's') => ({ t, scenario, name: 'n', method: 'GET', status: 200, duration: 5, failed: false });

  it('takes the run events when present, else the span of the records', () => {
    expect(runSpan([{ t: 5, type: 'run', state: 'start', command: 'drill' }, { t: 50, type: 'run', state: 'end', command: 'drill' }], [request(10)])).toEqual({ start: 5, end: 50 });
    expect(runSpan([], [request(10), request(20)])).toEqual({ start: 10, end: 25 });
    expect(runSpan([], [])).toEqual({ start: 0, end: 0 });
  });

  it('selects requests by phase, else by scenario', () => {
    const named = new Map([['surge', [{ start: 10, end: 20 }]]]);
    expect(requestsDuring('surge', [request(5), request(15)], named)?.requests.map((r) => r.t)).toEqual([15]);
    expect(requestsDuring('warmup', [request(5, 'warmup'), request(8, 'warmup')], named)).toMatchObject({ source: 'scenario', intervals: [{ start: 5, end: 9 }] });
    expect(requestsDuring('nothing', [request(5)], named)).toBeUndefined();
  });

  it('merges touching intervals and tests half-open membership', () => {
    expect(spans(union([{ start: 20, end: 30 }, { start: 0, end: 10 }, { start: 10, end: 15 }]))).toEqual([
      [0, 15],
      [20, 30],
    ]);
    expect(inAny(10, [{ start: 0, end: 10 }])).toBe(false);
    expect(inAny(0, [{ start: 0, end: 10 }])).toBe(true);
  });

  it('kubernetesLeftovers: what the run created and did not delete', () => {
    const k8s = (t: number, action: 'created' | 'deleted' | 'delete-failed', kind: string, name: string): TimelineEvent => ({ t, type: 'k8s-object', action, kind, name, namespace: 'load', server: 'https://k8s:6443' });
    const timeline = [k8s(1, 'created', 'ConfigMap', 'smoke-a1b2c-script'), k8s(2, 'created', 'TestRun', 'smoke-a1b2c'), k8s(9, 'deleted', 'TestRun', 'smoke-a1b2c'), k8s(10, 'delete-failed', 'ConfigMap', 'smoke-a1b2c-script')];
    expect(kubernetesLeftovers(timeline)).toEqual([{ kind: 'ConfigMap', name: 'smoke-a1b2c-script', namespace: 'load' }]);
    expect(kubernetesLeftovers(timeline.slice(0, 3).concat(k8s(11, 'deleted', 'ConfigMap', 'smoke-a1b2c-script')))).toEqual([]);
  });
});
