import { percentile } from '../budgets/evaluate.js';
import type { RequestRecord, TimelineEvent } from '../run/records.js';
import type { RunData } from '../run/run-data.js';
import { faultWhat, faultWindows } from '../run/timeline.js';

/** The figures report.html opens with: how hard the run pushed, how the system answered, what broke on purpose. */
export interface HeadlineFigures {
  /** requests/s in the busiest window, and that window (seconds since the run's start) */
  peak: { rps: number; from: number; to: number; p95Ms: number | null; requests: number } | null;
  /** what the load was meant to reach (config.json `intendedPeak`, written by the drill) */
  intended: { iterationsPerSecond: number; scenario: string } | null;
  errorRate: number;
  requests: number;
  /** each fault switched on: which proxy, what, when (s since start) and for how long */
  faults: Array<{ proxy: string; what: string; at: number; seconds: number }>;
  profile: string | null;
  /** TIME_SCALE: 0.2 plays the story five times faster */
  timeScale: number | null;
  defects: string[];
}

/** The busiest window is a tenth of the run, between 5 and 30 seconds: short enough to be the peak, long enough to hold a p95. */
export function peakWindowMs(durationMs: number): number {
  return Math.min(30_000, Math.max(5_000, Math.round(durationMs / 10 / 1000) * 1000));
}

export function headlineFigures(data: Pick<RunData, 'requests' | 'timeline' | 'span' | 'config'>): HeadlineFigures {
  const config = data.config ?? {};
  const failed = data.requests.filter((r) => r.failed).length;
  return {
    peak: busiestWindow(data.requests, data.span, peakWindowMs(data.span.end - data.span.start)),
    intended: intendedOf(config.intendedPeak),
    errorRate: data.requests.length ? failed / data.requests.length : 0,
    requests: data.requests.length,
    faults: faultsOf(data.timeline, data.span),
    profile: typeof config.profile === 'string' ? config.profile : null,
    timeScale: typeof config.timeScale === 'number' ? config.timeScale : null,
    defects: Array.isArray(config.defects) ? config.defects.filter((d): d is string => typeof d === 'string') : [],
  };
}

/** The window of `windowMs` (slid in 1 s steps) holding the most requests; its rate and p95. */
function busiestWindow(requests: readonly RequestRecord[], span: { start: number; end: number }, windowMs: number): HeadlineFigures['peak'] {
  if (!requests.length) return null;
  const seconds = Math.max(1, Math.ceil((span.end - span.start) / 1000));
  const perSecond = new Array<number>(seconds).fill(0);
  for (const r of requests) perSecond[Math.min(seconds - 1, Math.max(0, Math.floor((r.t - span.start) / 1000)))]!++;
  const width = Math.min(seconds, Math.max(1, Math.round(windowMs / 1000)));
  let sum = perSecond.slice(0, width).reduce((a, b) => a + b, 0);
  let best = { from: 0, count: sum };
  for (let i = width; i < seconds; i++) {
    sum += perSecond[i]! - perSecond[i - width]!;
    if (sum > best.count) best = { from: i - width + 1, count: sum };
  }
  const from = span.start + best.from * 1000;
  const inWindow = requests.filter((r) => r.t >= from && r.t < from + width * 1000).map((r) => r.duration).sort((a, b) => a - b);
  return { rps: best.count / width, from: best.from, to: best.from + width, p95Ms: inWindow.length ? percentile(inWindow, 95) : null, requests: inWindow.length };
}

function intendedOf(value: unknown): HeadlineFigures['intended'] {
  const v = value as { iterationsPerSecond?: unknown; scenario?: unknown } | undefined;
  return v && typeof v.iterationsPerSecond === 'number' && typeof v.scenario === 'string' ? { iterationsPerSecond: v.iterationsPerSecond, scenario: v.scenario } : null;
}

function faultsOf(timeline: readonly TimelineEvent[], span: { start: number; end: number }): HeadlineFigures['faults'] {
  return faultWindows(timeline, span.end).map((w) => ({
    proxy: w.proxy,
    what: faultWhat(w),
    at: (w.start - span.start) / 1000,
    seconds: (w.end - w.start) / 1000,
  }));
}
