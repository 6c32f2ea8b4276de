import { describe, expect, it } from 'vitest';
import type { MetricSample, RequestRecord, TimelineEvent } from '../run/records.js';
import { analyzeScaleOut, type ScaleOutInput } from './scale-out-analysis.js';

const T0 = 1_700_000_000_000;
const s = (sec: number) => T0 + sec * 1000;
const decision = (sec: number, current: number, desired: number, utilization: number, limitedBy = 'none'): TimelineEvent => ({
  t: s(sec),
  type: 'scale-decision',
  service: 'catalog',
  current,
  desired,
  utilization,
  target: 60,
  limitedBy,
  reason: 'test',
});
/** `replicas` replicas of 200m each at `utilization` % */
const cpu = (sec: number, replicas: number, utilization: number): MetricSample[] =>
  Array.from({ length: replicas }, (_, i) => ({ t: s(sec), source: 'cpu', service: 'catalog', replica: `catalog-${i + 1}`, pid: 100 + i, cpuSeconds: 0, utilization, requestMillicores: 200 }));
/** `rps` requests per second over [from, to) with a given latency */
const load = (from: number, to: number, rps: number, duration: number): RequestRecord[] => {
  const out: RequestRecord[] = [];
  for (let t = s(from); t < s(to); t += 1000 / rps) out.push({ t, scenario: 'surge', name: 'GET /api/products', method: 'GET', status: 200, duration, failed: false });
  return out;
};

/** A healthy run: surge at 30 s, scale-out 1 → 5 at 45 s, ready at 47 s, back to 1 after 300 s of low load. */
function healthyRun(): ScaleOutInput {
  const timeline: TimelineEvent[] = [{ t: s(0), type: 'run', state: 'start', command: 'drill' }];
  const samples: MetricSample[] = [];
  for (let sec = 15; sec <= 30; sec += 15) {
    timeline.push(decision(sec, 1, 1, sec === 30 ? 100 : 40));
    samples.push(...cpu(sec, 1, sec === 30 ? 100 : 40));
  }
  timeline.push(decision(45, 1, 5, 240, 'policy:Pods'));
  samples.push(...cpu(45, 1, 240));
  timeline.push({ t: s(47), type: 'replica', service: 'catalog', replica: 'catalog-2', pid: 2, state: 'ready' });
  timeline.push({ t: s(47), type: 'replicas', service: 'catalog', from: 1, to: 5, ready: 5 });
  for (let sec = 60; sec <= 120; sec += 15) {
    timeline.push(decision(sec, 5, 5, 58, 'tolerance'));
    samples.push(...cpu(sec, 5, 58));
  }
  for (let sec = 135; sec <= 420; sec += 15) {
    timeline.push(decision(sec, 5, 5, 10, 'stabilization'));
    samples.push(...cpu(sec, 5, 10));
  }
  timeline.push(decision(435, 5, 1, 10, 'none'));
  return {
    timeline,
    cpu: samples,
    requests: [...load(0, 45, 20, 400), ...load(45, 130, 60, 80)],
    limits: { maxReactionMs: 30_000, flapWindowMs: 60_000, expectedPeak: { catalog: 4 } },
    syncPeriodMs: 15_000,
    scaleDownStabilizationMs: 300_000,
  };
}

describe('scale-out analysis', () => {
  it('one scrape over the line is not load the controller had to answer; utilisation held over it for a sync period is', () => {
    const run = healthyRun();
    // a quiet run whose only excursion is one sample at 67 % (the syncs around it read 66 %, within tolerance)
    const quiet = (spikeHeld: boolean): ScaleOutInput => {
      const timeline: TimelineEvent[] = [{ t: s(0), type: 'run', state: 'start', command: 'drill' }];
      const samples: MetricSample[] = [];
      for (let sec = 15; sec <= 120; sec += 15) {
        const high = sec === 60 || (spikeHeld && sec === 75);
        timeline.push(decision(sec, 1, 1, high ? 66 : 40, high ? 'tolerance' : 'none'));
        samples.push(...cpu(sec, 1, high ? 67 : 40));
      }
      return { ...run, timeline, cpu: samples, requests: load(0, 120, 20, 50), limits: { maxReactionMs: 30_000, flapWindowMs: 60_000 } };
    };
    const item = (input: ScaleOutInput) => analyzeScaleOut(input).items.find((i) => i.id === 'reaction')!;
    expect(item(quiet(false)).status).toBe('skip');
    expect(item(quiet(true))).toMatchObject({ status: 'fail', figure: 'never' });
  });

  it('passes a run that scaled out in time, reached its peak, did not flap, waited out stabilization and gained capacity', () => {
    const v = analyzeScaleOut(healthyRun());
    expect(v.status).toBe('pass');
    expect(v.controllerDecidedRight.status).toBe('pass');
    expect(v.capacityGrew.status).toBe('pass');
    const reaction = v.items.find((i) => i.id === 'reaction')!;
    expect(reaction).toMatchObject({ status: 'pass', figure: '15.0s' });
    expect(reaction.evidence.join(' ')).toContain('1 → 5');
    expect(v.services[0]).toMatchObject({ service: 'catalog', peakReplicas: 5, hitMax: false, reactionMs: 15_000 });
    const capacity = v.items.find((i) => i.id === 'capacity')!;
    // before: the mean of 80m, 200m and 480m over the 45 s before the decision
    expect(capacity.evidence.join('\n')).toMatch(/catalog CPU: 253m before → 580m after \(better\)/);
    expect(capacity.evidence.join('\n')).toMatch(/load p95 latency: 400 ms before → 80.0 ms after \(better\)/);
    expect(v.items.find((i) => i.id === 'stabilization')).toMatchObject({ status: 'pass', figure: '1 scale-downs, 0 early' });
  });

  it('fails a slow reaction and an unmet expected peak', () => {
    const run = healthyRun();
    run.limits = { ...run.limits, maxReactionMs: 10_000, expectedPeak: { catalog: 8 } };
    const v = analyzeScaleOut(run);
    expect(v.status).toBe('fail');
    expect(v.items.find((i) => i.id === 'reaction')!.status).toBe('fail');
    expect(v.items.find((i) => i.id === 'peak')).toMatchObject({ status: 'fail', figure: '5 replicas' });
    expect(v.capacityGrew.status).toBe('pass');
  });

  it('flags flapping and a scale-down inside the stabilization window', () => {
    const run = healthyRun();
    run.timeline = [...run.timeline.filter((e) => e.type !== 'scale-decision' || e.t <= s(60)), decision(75, 5, 2, 20), decision(90, 2, 5, 150)];
    const v = analyzeScaleOut(run);
    const flapping = v.items.find((i) => i.id === 'flapping')!;
    expect(flapping.status).toBe('fail');
    expect(flapping.evidence[0]).toContain('1→5');
    const stabilization = v.items.find((i) => i.id === 'stabilization')!;
    expect(stabilization.status).toBe('fail');
    expect(stabilization.evidence[0]).toMatch(/5→2 at \+75.0s although \d+ was recommended/);
    expect(v.controllerDecidedRight.status).toBe('fail');
  });

  it('warns on reaching maxReplicas as a capacity risk', () => {
    const run = healthyRun();
    run.timeline = run.timeline.map((e) => (e.type === 'scale-decision' && e.t === s(60) ? { ...e, limitedBy: 'max' } : e));
    const v = analyzeScaleOut(run);
    const peak = v.items.find((i) => i.id === 'peak')!;
    expect(peak.status).toBe('warn');
    expect(peak.evidence.join(' ')).toContain('capacity risk');
    expect(v.services[0]!.hitMax).toBe(true);
  });

  it('keeps "decided right" apart from "capacity grew" when more processes got no more CPU', () => {
    const run = healthyRun();
    // two saturated cores: after scale-out the five replicas share the same CPU, latency stays high
    run.cpu = run.cpu.map((x) => (x.source === 'cpu' && x.t >= s(60) && x.t <= s(120) ? { ...x, utilization: 48 } : x));
    run.requests = [...load(0, 45, 20, 400), ...load(45, 130, 20, 420)];
    const unshowable = analyzeScaleOut({ ...run, capacityShowable: { supported: false, reason: 'no per-replica CPU limits (cgroup cpu controller not delegated)' } });
    expect(unshowable.controllerDecidedRight.status).toBe('pass');
    expect(unshowable.capacityGrew.status).toBe('warn');
    expect(unshowable.capacityGrew.evidence.join(' ')).toContain('this machine cannot show capacity growth');
    expect(unshowable.status).toBe('pass');
    const showable = analyzeScaleOut({ ...run, capacityShowable: { supported: true, reason: 'cgroup v1' } });
    expect(showable.capacityGrew.status).toBe('fail');
    expect(showable.status).toBe('fail');
  });

  it('skips when no autoscaler ran', () => {
    expect(analyzeScaleOut({ ...healthyRun(), timeline: [] }).status).toBe('skip');
  });
});

describe('a controller that cannot see its metric', () => {
  it('fails when most syncs after the warm-up found no metrics (no CPU request: ScalingActive=False), naming the reason', () => {
    const timeline: TimelineEvent[] = [{ t: s(0), type: 'run', state: 'start', command: 'drill' }];
    for (let sec = 15; sec <= 150; sec += 15) {
      timeline.push({ ...decision(sec, 1, 1, 0, 'no-metrics'), utilization: null, reason: 'cannot compute a replica count (cpu: missing request for cpu on pod catalog-1)' } as TimelineEvent);
    }
    const verdict = analyzeScaleOut({ timeline, cpu: [], requests: load(0, 150, 5, 20), limits: { maxReactionMs: 60_000, flapWindowMs: 60_000 }, syncPeriodMs: 15_000, scaleDownStabilizationMs: 300_000 });
    const metrics = verdict.items.find((i) => i.id === 'metrics')!;
    expect(metrics).toMatchObject({ status: 'fail', figure: '8/8 syncs without metrics' });
    expect(metrics.evidence[0]).toMatch(/can never scale out: cannot compute a replica count \(cpu: missing request for cpu on pod catalog-1\)/);
    expect(verdict.controllerDecidedRight.status).toBe('fail');
  });

  it('passes a controller whose first syncs found no metrics while the replicas warmed up', () => {
    const input = healthyRun();
    const warming = { ...decision(5, 1, 1, 0, 'no-metrics'), utilization: null } as TimelineEvent;
    const verdict = analyzeScaleOut({ ...input, timeline: [input.timeline[0]!, warming, ...input.timeline.slice(1)] });
    expect(verdict.items.find((i) => i.id === 'metrics')!.status).toBe('pass');
  });
});

describe('flapping', () => {
  const run = (events: TimelineEvent[]): ScaleOutInput => ({
    timeline: [{ t: s(0), type: 'run', state: 'start', command: 'drill' }, decision(15, 1, 1, 40), decision(30, 1, 3, 150, 'policy:Pods'), ...events],
    cpu: [],
    requests: load(0, 120, 5, 20),
    limits: { maxReactionMs: 60_000, flapWindowMs: 60_000 },
    syncPeriodMs: 15_000,
    scaleDownStabilizationMs: 60_000,
  });
  const flapping = (input: ScaleOutInput) => analyzeScaleOut(input).items.find((i) => i.id === 'flapping')!;

  it('is a scale-down soon after a scale-up, not a scale-up that answers new load soon after a scale-down', () => {
    // down 70 s after the scale-up, then up again 3 s later as new load arrives
    expect(flapping(run([decision(100, 3, 1, 20), decision(103, 1, 3, 150, 'policy:Pods')]))).toMatchObject({ status: 'pass', figure: '0 flaps' });
    // up, then down again 3 s later: the controller gave back what it had just added
    expect(flapping(run([decision(100, 3, 1, 20), decision(103, 1, 3, 150, 'policy:Pods'), decision(106, 3, 1, 20)]))).toMatchObject({ status: 'fail', figure: '1 flaps' });
  });
});
