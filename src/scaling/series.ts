/**
 * A metric series as the simulation replays it (simulate.ts), whichever file it was read from: a
 * user's CSV/JSON (metric-series.ts) or a peakready run's cpu samples (run-series.ts).
 */

export interface SeriesPoint {
  /** ms from the first sample */
  t: number;
  values: Record<string, { kind: 'average' | 'total'; value: number } | undefined>;
  /** pods that measured the averages (the `replicas` column) */
  replicas?: number;
}

export interface MetricSeries {
  file: string;
  points: SeriesPoint[];
}
