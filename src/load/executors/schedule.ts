import type { Stage } from './base.js';

/**
 * Schedule maths, pure: arrival-rate start times and ramping VU targets, as functions of time
 * in ms from the scenario's start. Tested without clocks.
 */

/** A piecewise-linear rate (iterations per ms) over stages, starting from `startRate`. */
export interface RateSegment {
  start: number;
  duration: number;
  /** iterations per ms at the segment's start and end */
  from: number;
  to: number;
  /** iterations scheduled before the segment */
  before: number;
}

export function rateSegments(startRatePerMs: number, stages: ReadonlyArray<{ duration: number; target: number }>, timeUnitMs: number): RateSegment[] {
  const out: RateSegment[] = [];
  let t = 0;
  let from = startRatePerMs;
  let before = 0;
  for (const stage of stages) {
    const to = stage.target / timeUnitMs;
    out.push({ start: t, duration: stage.duration, from, to, before });
    before += ((from + to) / 2) * stage.duration;
    t += stage.duration;
    from = to;
  }
  return out;
}

/** Iterations due by time `t` (fractional), the integral of the rate. */
export function iterationsDue(segments: readonly RateSegment[], t: number): number {
  for (const s of segments) {
    if (t <= s.start + s.duration) {
      const x = Math.max(0, t - s.start);
      const slope = s.duration > 0 ? (s.to - s.from) / s.duration : 0;
      return s.before + s.from * x + (slope * x * x) / 2;
    }
  }
  const last = segments.at(-1);
  return last ? last.before + ((last.from + last.to) / 2) * last.duration : 0;
}

/**
 * When iteration `k` (0-based) starts: the time the integral reaches k, so iteration 0 starts
 * at once (as k6). Undefined when the schedule ends before it.
 */
export function arrivalTime(segments: readonly RateSegment[], k: number): number | undefined {
  for (const s of segments) {
    const inSegment = ((s.from + s.to) / 2) * s.duration;
    const need = k - s.before;
    if (need < 0) continue;
    if (need >= inSegment && !(need === 0 && inSegment === 0)) continue;
    if (need === 0) return s.start;
    const slope = s.duration > 0 ? (s.to - s.from) / s.duration : 0;
    if (Math.abs(slope) < 1e-15) return s.from > 0 ? s.start + need / s.from : undefined;
    // from*x + slope*x²/2 = need
    const disc = s.from * s.from + 2 * slope * need;
    const x = (-s.from + Math.sqrt(Math.max(0, disc))) / slope;
    return s.start + x;
  }
  return undefined;
}

export function totalDuration(stages: ReadonlyArray<Stage>): number {
  return stages.reduce((sum, s) => sum + s.duration, 0);
}

/** ramping-vus: the VU target at `t`, linear within each stage (as k6, rounded down). */
export function rampingVusTarget(startVus: number, stages: ReadonlyArray<Stage>, t: number): number {
  let start = 0;
  let from = startVus;
  for (const stage of stages) {
    if (t < start + stage.duration) {
      const x = stage.duration > 0 ? (t - start) / stage.duration : 1;
      return Math.floor(from + (stage.target - from) * x + 1e-9);
    }
    start += stage.duration;
    from = stage.target;
  }
  return from;
}
