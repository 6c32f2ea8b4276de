import { TrendHistogram, type TrendData } from './trend-histogram.js';
import type { MetricType } from './types.js';

/** Serialisable aggregate of one metric or submetric, by type. */
export type StateData =
  | { type: 'counter'; samples: number; sum: number }
  | { type: 'gauge'; samples: number; value: number; time: number; min: number; max: number }
  | { type: 'rate'; passes: number; fails: number }
  | ({ type: 'trend' } & TrendData);

/** The running aggregate of one metric (or submetric): one class per k6 metric type. */
export interface MetricState {
  readonly samples: number;
  add(value: number, time: number): void;
  toData(): StateData;
  merge(data: StateData): void;
  /** back to empty (after a drain) */
  reset(): void;
  /** k6 aggregation → number; undefined when it does not apply to this type */
  stat(aggregation: string, elapsedMs: number): number | undefined;
}

class CounterState implements MetricState {
  samples = 0;
  sum = 0;
  add(value: number): void {
    this.samples++;
    this.sum += value;
  }
  reset(): void {
    this.samples = 0;
    this.sum = 0;
  }
  toData(): StateData {
    return { type: 'counter', samples: this.samples, sum: this.sum };
  }
  merge(data: StateData): void {
    if (data.type !== 'counter') throw mismatch('counter', data.type);
    this.samples += data.samples;
    this.sum += data.sum;
  }
  stat(aggregation: string, elapsedMs: number): number | undefined {
    if (aggregation === 'count') return this.sum;
    // k6: a counter's rate is its total over the test run's duration so far
    if (aggregation === 'rate') return elapsedMs > 0 ? this.sum / (elapsedMs / 1000) : 0;
    return undefined;
  }
}

class GaugeState implements MetricState {
  samples = 0;
  value = 0;
  time = -Infinity;
  min = Infinity;
  max = -Infinity;
  add(value: number, time: number): void {
    this.samples++;
    // last by time: samples from several workers arrive out of order
    if (time >= this.time) {
      this.time = time;
      this.value = value;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
  reset(): void {
    this.samples = 0;
    this.value = 0;
    this.time = -Infinity;
    this.min = Infinity;
    this.max = -Infinity;
  }
  toData(): StateData {
    return { type: 'gauge', samples: this.samples, value: this.value, time: this.time, min: this.min, max: this.max };
  }
  merge(data: StateData): void {
    if (data.type !== 'gauge') throw mismatch('gauge', data.type);
    if (data.samples === 0) return;
    this.samples += data.samples;
    if (data.time >= this.time) {
      this.time = data.time;
      this.value = data.value;
    }
    if (data.min < this.min) this.min = data.min;
    if (data.max > this.max) this.max = data.max;
  }
  stat(aggregation: string): number | undefined {
    if (aggregation === 'value') return this.value;
    if (aggregation === 'min') return this.samples ? this.min : 0;
    if (aggregation === 'max') return this.samples ? this.max : 0;
    return undefined;
  }
}

class RateState implements MetricState {
  passes = 0;
  fails = 0;
  get samples(): number {
    return this.passes + this.fails;
  }
  add(value: number): void {
    // k6: any non-zero value counts as a pass (true)
    if (value !== 0) this.passes++;
    else this.fails++;
  }
  reset(): void {
    this.passes = 0;
    this.fails = 0;
  }
  toData(): StateData {
    return { type: 'rate', passes: this.passes, fails: this.fails };
  }
  merge(data: StateData): void {
    if (data.type !== 'rate') throw mismatch('rate', data.type);
    this.passes += data.passes;
    this.fails += data.fails;
  }
  stat(aggregation: string): number | undefined {
    if (aggregation === 'rate') return this.samples ? this.passes / this.samples : 0;
    if (aggregation === 'passes') return this.passes;
    if (aggregation === 'fails') return this.fails;
    return undefined;
  }
}

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$/;

class TrendState implements MetricState {
  readonly histogram = new TrendHistogram();
  get samples(): number {
    return this.histogram.count;
  }
  add(value: number): void {
    this.histogram.add(value);
  }
  reset(): void {
    this.histogram.reset();
  }
  toData(): StateData {
    return { type: 'trend', ...this.histogram.toData() };
  }
  merge(data: StateData): void {
    if (data.type !== 'trend') throw mismatch('trend', data.type);
    this.histogram.merge(data);
  }
  stat(aggregation: string): number | undefined {
    const h = this.histogram;
    switch (aggregation) {
      case 'count':
        return h.count;
      case 'avg':
        return h.avg();
      case 'min':
        return h.count ? h.min : 0;
      case 'max':
        return h.count ? h.max : 0;
      case 'med':
        return h.percentile(50);
    }
    const p = PERCENTILE.exec(aggregation);
    return p ? h.percentile(Number(p[1])) : undefined;
  }
}

function mismatch(expected: string, got: string): Error {
  return new Error(`cannot merge a ${got} aggregate into a ${expected} metric`);
}

export function newMetricState(type: MetricType): MetricState {
  switch (type) {
    case 'counter':
      return new CounterState();
    case 'gauge':
      return new GaugeState();
    case 'rate':
      return new RateState();
    case 'trend':
      return new TrendState();
  }
}
