import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { MetricSample } from '../run/records.js';
import { RUN_FILES } from '../run/run-dir.js';
import type { HpaSpec } from './hpa-spec.js';
import type { MetricSeries, SeriesPoint } from './series.js';

/**
 * A peakready run as a metric series: the local autoscaler's `cpu` samples of one service
 * (metrics.ndjson), per sync instant the average utilisation and the replica count that measured
 * it. Replaying it through another `behavior` shows what that behavior would have done with the
 * same load (`peakready scale simulate --metrics .peakready/runs/<id>`).
 */

/** The metrics record of a run directory (metrics.ndjson.gz, or an older run's metrics.ndjson), or the path itself when it is such a file. */
export function runMetricsFile(path: string): string | undefined {
  if (existsSync(path) && statSync(path).isDirectory()) {
    return [`${join(path, RUN_FILES.metrics)}.gz`, join(path, RUN_FILES.metrics)].find((file) => existsSync(file));
  }
  return path.endsWith('.ndjson') || path.endsWith('.ndjson.gz') ? path : undefined;
}

export function seriesFromRun(text: string, file: string, hpa: HpaSpec, service: string): MetricSeries {
  const cpuMetric = hpa.metrics.find((m) => m.type === 'Utilization' && m.name === 'cpu');
  if (!cpuMetric) throw new ConfigError([{ file, message: `HPA ${hpa.name} has no cpu Utilization metric; a run's samples only hold CPU` }]);
  const byTime = new Map<number, { usage: number; request: number; replicas: number }>();
  const services = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let sample: MetricSample;
    try {
      sample = JSON.parse(line) as MetricSample;
    } catch {
      continue; // a torn last line
    }
    if (sample.source !== 'cpu') continue;
    services.add(sample.service);
    if (sample.service !== service || !Number.isFinite(sample.utilization)) continue;
    const e = byTime.get(sample.t) ?? { usage: 0, request: 0, replicas: 0 };
    e.usage += (sample.utilization / 100) * sample.requestMillicores;
    e.request += sample.requestMillicores;
    e.replicas++;
    byTime.set(sample.t, e);
  }
  if (byTime.size === 0) {
    throw new ConfigError([{ file, message: `no cpu samples of service "${service}" (services with samples: ${[...services].join(', ') || 'none'}); pick one with --service` }]);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const points: SeriesPoint[] = times.map((t) => {
    const e = byTime.get(t)!;
    return { t: t - times[0]!, values: { cpu: { kind: 'average', value: e.request > 0 ? (e.usage / e.request) * 100 : 0 } }, replicas: e.replicas };
  });
  return { file, points };
}
