import { Int32Histogram } from 'hdr-histogram-js';

/**
 * Trend values are stored in HDR histograms as integers of a millionth of the value: k6's time
 * trends are milliseconds with sub-microsecond digits (0.000127 ms = 127 ns is a real
 * http_req_blocked), so a millionth keeps them, and 3 significant digits keep every percentile
 * within 0.1 % while a 60 s value needs only ~27 buckets. Exact count, sum, min and max are kept
 * beside the histogram, so avg/min/max are exact and only percentiles are HDR-rounded.
 */
const SCALE = 1e6;
const LARGEST = Number.MAX_SAFE_INTEGER / 4;
const SIGNIFICANT_DIGITS = 3;

/** Serialisable form: sparse [countsIndex, count] pairs, exact to merge. */
export interface TrendData {
  count: number;
  sum: number;
  min: number;
  max: number;
  positive: number[];
  negative?: number[];
}

function newHistogram(): Int32Histogram {
  // lowest 1, highest 2, autoResize: the counts array grows to the largest value seen
  const histogram = new Int32Histogram(1, 2, SIGNIFICANT_DIGITS);
  histogram.autoResize = true;
  return histogram;
}

export class TrendHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private positive = newHistogram();
  /** magnitudes of negative values (custom trends may go below zero); created on first use */
  private negative: Int32Histogram | undefined;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value >= 0) this.positive.recordValue(scaled(value));
    else (this.negative ??= newHistogram()).recordValue(scaled(-value));
  }

  /** Empties it, keeping the counts array: a worker's histogram is reused after every drain. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    if (this.positive.totalCount !== 0) this.positive.reset();
    this.negative = undefined;
  }

  toData(): TrendData {
    const data: TrendData = { count: this.count, sum: this.sum, min: this.min, max: this.max, positive: sparse(this.positive) };
    if (this.negative) data.negative = sparse(this.negative);
    return data;
  }

  /** Adds serialised data exactly: same bucket layout everywhere, so counts simply add. */
  merge(data: TrendData): void {
    if (data.count === 0) return;
    this.count += data.count;
    this.sum += data.sum;
    if (data.min < this.min) this.min = data.min;
    if (data.max > this.max) this.max = data.max;
    addSparse(this.positive, data.positive);
    if (data.negative?.length) addSparse((this.negative ??= newHistogram()), data.negative);
  }

  avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * k6's percentile: rank p/100 × (n − 1) in the sorted values, interpolating linearly between
   * the two neighbouring ranks. Here each rank's value is its HDR bucket's middle, clamped to the
   * exact min and max, so p(0) and p(100) are exact and the rest are within HDR precision.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    if (this.count === 1) return this.min;
    const rank = (Math.min(Math.max(p, 0), 100) / 100) * (this.count - 1);
    const low = Math.floor(rank);
    const high = Math.ceil(rank);
    const lowValue = this.valueAtRank(low);
    if (high === low) return lowValue;
    const highValue = this.valueAtRank(high);
    return lowValue + (highValue - lowValue) * (rank - low);
  }

  private valueAtRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    const negatives = this.negative?.totalCount ?? 0;
    const value =
      rank < negatives ? -rankInHistogram(this.negative!, negatives - 1 - rank) : rankInHistogram(this.positive, rank - negatives);
    return Math.min(Math.max(value, this.min), this.max);
  }
}

function scaled(value: number): number {
  const v = Math.round(value * SCALE);
  return v > LARGEST ? LARGEST : v;
}

function rankInHistogram(histogram: Int32Histogram, rank: number): number {
  let seen = 0;
  const length = histogram.countsArrayLength;
  for (let i = 0; i < length; i++) {
    seen += histogram.getCountAtIndex(i);
    if (seen > rank) return histogram.medianEquivalentValue(histogram.valueFromIndex(i)) / SCALE;
  }
  return histogram.maxValue / SCALE;
}

function sparse(histogram: Int32Histogram): number[] {
  const out: number[] = [];
  if (histogram.totalCount === 0) return out;
  const length = histogram.countsArrayLength;
  for (let i = 0; i < length; i++) {
    const c = histogram.getCountAtIndex(i);
    if (c !== 0) out.push(i, c);
  }
  return out;
}

function addSparse(histogram: Int32Histogram, pairs: readonly number[]): void {
  for (let i = 0; i < pairs.length; i += 2) histogram.recordValueWithCount(histogram.valueFromIndex(pairs[i]!), pairs[i + 1]!);
}
