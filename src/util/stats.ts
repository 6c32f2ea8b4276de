/**
 * Two-sample tests for "is the later run slower?": the Mann-Whitney U rank test (a shift of the
 * whole distribution) and an exceedance test at a threshold (more slow requests in the tail).
 * Pure; every p value is one-sided, for "later is larger".
 */

export interface RankTest {
  /** pairs (earlier, later) where the later value is larger, ties counted half */
  u: number;
  n1: number;
  n2: number;
  /** P(U >= u) under "both samples come from one distribution" */
  p: number;
  /** the exact distribution of U (small samples without ties), else the normal approximation */
  method: 'exact' | 'normal';
  /** probability of superiority: P(later > earlier) + P(tie)/2 = u / (n1 n2) */
  superiority: number;
  /** Cliff's delta: P(later > earlier) - P(later < earlier), from -1 to 1 */
  cliffsDelta: number;
}

/** Samples below this size on both sides and without ties get the exact distribution of U. */
export const EXACT_BELOW = 50;

/**
 * Mann-Whitney U, one-sided: is `later` stochastically larger than `earlier`? Ranks with ties
 * given their mean rank; exact p for small samples without ties, else the normal approximation
 * with the tie correction of the variance and a continuity correction of 1/2.
 */
export function mannWhitneyGreater(earlier: readonly number[], later: readonly number[]): RankTest {
  const n1 = earlier.length;
  const n2 = later.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyGreater: both samples need at least one value');
  const { laterRankSum, tieTerm } = rankSums(earlier, later);
  const u = laterRankSum - (n2 * (n2 + 1)) / 2;
  const superiority = u / (n1 * n2);
  const exact = tieTerm === 0 && n1 < EXACT_BELOW && n2 < EXACT_BELOW;
  const p = exact ? exactUpperTail(n1, n2, u) : normalUpperTailOfU(u, n1, n2, tieTerm);
  return { u, n1, n2, p, method: exact ? 'exact' : 'normal', superiority, cliffsDelta: 2 * superiority - 1 };
}

/** The later sample's rank sum (mid-ranks for ties) and the ties' Σ(t³ - t). */
function rankSums(earlier: readonly number[], later: readonly number[]): { laterRankSum: number; tieTerm: number } {
  const all = [...earlier.map((value) => ({ value, later: false })), ...later.map((value) => ({ value, later: true }))];
  all.sort((a, b) => a.value - b.value);
  let laterRankSum = 0;
  let tieTerm = 0;
  for (let start = 0; start < all.length; ) {
    let end = start + 1;
    while (end < all.length && all[end]!.value === all[start]!.value) end++;
    const ties = end - start;
    // ranks start+1 .. end share their mean
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (all[i]!.later) laterRankSum += rank;
    tieTerm += ties ** 3 - ties;
    start = end;
  }
  return { laterRankSum, tieTerm };
}

function normalUpperTailOfU(u: number, n1: number, n2: number, tieTerm: number): number {
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // every value tied: the samples cannot tell anything apart
  if (variance <= 0) return 1;
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return normalUpperTail(z);
}

/**
 * P(U >= u) without ties: the number of orderings of n1 earlier and n2 later values with each U,
 * over all C(n1 + n2, n1) of them. count(i, j, u) = count(i - 1, j, u) + count(i, j - 1, u - i):
 * the largest value is either an earlier one (adding nothing to U) or a later one (larger than
 * all i earlier values). Kept one row of j at a time.
 */
function exactUpperTail(n1: number, n2: number, u: number): number {
  const maxU = n1 * n2;
  let previous: Float64Array[] = Array.from({ length: n2 + 1 }, () => unit(maxU));
  for (let i = 1; i <= n1; i++) {
    const row: Float64Array[] = [unit(maxU)];
    for (let j = 1; j <= n2; j++) {
      const counts = new Float64Array(maxU + 1);
      const withoutEarlier = previous[j]!;
      const withoutLater = row[j - 1]!;
      for (let v = 0; v <= i * j; v++) counts[v] = withoutEarlier[v]! + (v >= i ? withoutLater[v - i]! : 0);
      row.push(counts);
    }
    previous = row;
  }
  const counts = previous[n2]!;
  let total = 0;
  let atLeast = 0;
  for (let v = 0; v <= maxU; v++) {
    total += counts[v]!;
    if (v >= u - 1e-9) atLeast += counts[v]!;
  }
  return atLeast / total;
}

/** one ordering with U = 0: a sample of size 0 on one side */
function unit(maxU: number): Float64Array {
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  return counts;
}

export interface ExceedanceTest {
  threshold: number;
  /** values above the threshold, and the sample sizes */
  earlierAbove: number;
  laterAbove: number;
  n1: number;
  n2: number;
  /** Fisher's exact test, one-sided: P(at least laterAbove of the later values above, given the total above) */
  p: number;
}

/**
 * Are more of the later values above `threshold` (the earlier run's p95) than of the earlier
 * ones? The rank test hardly sees a few very slow requests; this is the tail's own test: the 2x2
 * table (sample x above/not) under Fisher's exact test, one-sided.
 */
export function exceedanceGreater(earlier: readonly number[], later: readonly number[], threshold: number): ExceedanceTest {
  const earlierAbove = earlier.filter((v) => v > threshold).length;
  const laterAbove = later.filter((v) => v > threshold).length;
  const n1 = earlier.length;
  const n2 = later.length;
  return { threshold, earlierAbove, laterAbove, n1, n2, p: hypergeometricUpperTail(n1 + n2, earlierAbove + laterAbove, n2, laterAbove) };
}

/** P(X >= x) for X ~ Hypergeometric(population, successes, draws). */
export function hypergeometricUpperTail(population: number, successes: number, draws: number, x: number): number {
  const lowest = Math.max(0, draws - (population - successes));
  const highest = Math.min(successes, draws);
  if (x <= lowest) return 1;
  if (x > highest) return 0;
  const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);
  let term = Math.exp(logChoose(successes, x) + logChoose(population - successes, draws - x) - logChoose(population, draws));
  let sum = 0;
  for (let k = x; k <= highest; k++) {
    sum += term;
    // P(k + 1) / P(k)
    term *= ((successes - k) * (draws - k)) / ((k + 1) * (population - successes - draws + k + 1));
  }
  return Math.min(1, sum);
}

const logFactorials: number[] = [0, 0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** P(Z >= z) for a standard normal Z, to about 1e-14 (absolute) across the line. */
export function normalUpperTail(z: number): number {
  if (z < 0) return 1 - normalUpperTail(-z);
  return erfc(z / Math.SQRT2) / 2;
}

/** erfc(x) for x >= 0: the Taylor series of erf below 3, a continued fraction above. */
function erfc(x: number): number {
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let power = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      power *= (-x * x) / n;
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), from the inside out
  let fraction = x;
  for (let k = 80; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}
