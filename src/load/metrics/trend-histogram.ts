/**
 * Trend values are stored in log-linear histograms (HDR's layout: lowest discernible value 1,
 * 3 significant digits) as integers of a millionth of the value: k6's time trends are
 * milliseconds with sub-microsecond digits (0.000127 ms = 127 ns is a real http_req_blocked), so a
 * millionth keeps them, and 3 significant digits keep every percentile within 0.1 % while a 60 s
 * value needs only ~27 buckets. Exact count, sum, min and max are kept beside the histogram, so
 * avg/min/max are exact and only percentiles are bucket-rounded.
 *
 * The bucket maths is integer-only (a leading-zero count, no log/pow per value): recording is on
 * the hot path, about ten values per request.
 */
const SCALE = 1e6;
const LARGEST = Number.MAX_SAFE_INTEGER / 4;
/** HDR's sub-bucket half count for 3 significant digits: 2 × 10³ rounded up to a power of two, halved */
const HALF = 1024;
const HALF_BITS = 10;
const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/** Serialisable form: sparse [countsIndex, count] pairs, exact to merge. */
export interface TrendData {
  count: number;
  sum: number;
  min: number;
  max: number;
  positive: number[];
  negative?: number[];
}

/** floor(log2(v)) of an integer 1 ≤ v < 2^53, exactly. */
function log2Floor(v: number): number {
  return v >= 4294967296 ? 63 - Math.clz32(Math.floor(v / 4294967296)) : 31 - Math.clz32(v);
}

/** The counts index of a non-negative integer value (bucket 0 holds 0..2047 one by one). */
export function countsIndex(v: number): number {
  if (v < 2 * HALF) return v;
  const bucket = log2Floor(v) - HALF_BITS;
  return bucket * HALF + Math.floor(v / POW2[bucket]!);
}

/** The lowest value of a counts index's range. */
export function indexValue(index: number): number {
  if (index < 2 * HALF) return index;
  return ((index & (HALF - 1)) + HALF) * POW2[(index >> HALF_BITS) - 1]!;
}

/** The middle of a counts index's range (HDR's median equivalent value). */
function indexMiddle(index: number): number {
  if (index < 2 * HALF) return index;
  return indexValue(index) + POW2[(index >> HALF_BITS) - 2]!;
}

/** Counts by index, grown on demand; [lo, hi] bounds the indexes in use, so scans stay short. */
class LogLinearCounts {
  total = 0;
  private counts = new Float64Array(2 * HALF);
  private lo = Infinity;
  private hi = -1;

  add(index: number, count: number): void {
    if (index >= this.counts.length) {
      let length = this.counts.length;
      while (length <= index) length *= 2;
      const grown = new Float64Array(length);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[index]! += count;
    this.total += count;
    if (index < this.lo) this.lo = index;
    if (index > this.hi) this.hi = index;
  }

  reset(): void {
    if (this.hi >= 0) this.counts.fill(0, this.lo, this.hi + 1);
    this.total = 0;
    this.lo = Infinity;
    this.hi = -1;
  }

  sparse(): number[] {
    const out: number[] = [];
    const counts = this.counts;
    for (let i = this.lo; i <= this.hi; i++) if (counts[i] !== 0) out.push(i, counts[i]!);
    return out;
  }

  /** the middle value of the bucket holding the `rank`-th value (0-based, ascending) */
  valueAtRank(rank: number): number {
    let seen = 0;
    const counts = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += counts[i]!;
      if (seen > rank) return indexMiddle(i) / SCALE;
    }
    return this.hi >= 0 ? indexMiddle(this.hi) / SCALE : 0;
  }
}

export class TrendHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly positive = new LogLinearCounts();
  /** magnitudes of negative values (custom trends may go below zero); created on first use */
  private negative: LogLinearCounts | undefined;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value >= 0) this.positive.add(countsIndex(scaled(value)), 1);
    else (this.negative ??= new LogLinearCounts()).add(countsIndex(scaled(-value)), 1);
  }

  /** Empties it, keeping the counts array: a worker's histogram is reused after every drain. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.positive.reset();
    this.negative = undefined;
  }

  toData(): TrendData {
    const data: TrendData = { count: this.count, sum: this.sum, min: this.min, max: this.max, positive: this.positive.sparse() };
    if (this.negative) data.negative = this.negative.sparse();
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
    if (data.negative?.length) addSparse((this.negative ??= new LogLinearCounts()), data.negative);
  }

  avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * k6's percentile: rank p/100 × (n − 1) in the sorted values, interpolating linearly between
   * the two neighbouring ranks. Here each rank's value is its bucket's middle, clamped to the
   * exact min and max, so p(0) and p(100) are exact and the rest are within bucket precision.
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
    const negatives = this.negative?.total ?? 0;
    const value = rank < negatives ? -this.negative!.valueAtRank(negatives - 1 - rank) : this.positive.valueAtRank(rank - negatives);
    return Math.min(Math.max(value, this.min), this.max);
  }
}

function scaled(value: number): number {
  const v = Math.round(value * SCALE);
  return v > LARGEST ? LARGEST : v;
}

function addSparse(counts: LogLinearCounts, pairs: readonly number[]): void {
  for (let i = 0; i < pairs.length; i += 2) counts.add(pairs[i]!, pairs[i + 1]!);
}
