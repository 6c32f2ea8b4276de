import { formatDuration } from '../util/duration.js';
import { barChart } from './chart.js';
import type { HpaSpec } from './hpa-spec.js';
import type { SimulationStep } from './simulate.js';

/** The text `peakready scale simulate` prints: a decision table and a replica chart. */
export function formatSimulation(
  hpa: HpaSpec,
  steps: readonly SimulationStep[],
  options: { all?: boolean; width?: number; averagesReplayedAsIs?: boolean; replay?: boolean } = {},
): string[] {
  const rows: string[][] = [['time', 'metric', 'current', 'proposal', 'desired', 'limited by', 'reason']];
  let previous: SimulationStep | undefined;
  for (const [i, step] of steps.entries()) {
    const d = step.decision;
    const changed = !previous || d.desired !== previous.decision.desired || d.limitedBy !== previous.decision.limitedBy || i === steps.length - 1;
    previous = step;
    if (!options.all && !changed) continue;
    rows.push([
      d.t === 0 ? '0s' : formatDuration(d.t),
      d.utilization === null ? '—' : `${d.utilization}${hpa.metrics[0]?.type === 'Utilization' ? '%' : ''}/${d.target}${hpa.metrics[0]?.type === 'Utilization' ? '%' : ''}`,
      String(d.current),
      String(d.proposal),
      String(d.desired),
      d.limitedBy,
      d.reason,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (c === 6 ? 0 : r[c]!.length))));
  const table = rows.map((r) => r.map((cell, c) => (c === 6 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  const replicas = steps.map((s) => s.replicas);
  const peak = Math.max(...replicas);
  const lastT = steps.at(-1)?.decision.t ?? 0;
  const summary = options.replay
    ? replaySummary(hpa, steps, lastT)
    : [
        `HPA ${hpa.name}: ${steps.length} syncs over ${formatDuration(lastT)}, replicas ${replicas[0]} → peak ${peak} (max ${hpa.maxReplicas}) → ${replicas.at(-1)}, ` +
          `${steps.filter((s) => s.decision.rescale).length} rescales`,
      ];
  if (options.averagesReplayedAsIs) {
    summary.push('note: per-pod averages were replayed as-is (they do not fall as replicas are added); add a replicas column or use <metric>_total to model the load being shared');
  }
  if (peak >= hpa.maxReplicas) summary.push(`warning: maxReplicas ${hpa.maxReplicas} was reached: demand beyond it is not served (capacity risk)`);
  const chart = barChart(replicas, { width: options.width ?? 60, height: 8, endLabel: formatDuration(lastT), marks: [{ value: hpa.maxReplicas, label: `max ${hpa.maxReplicas}` }] });
  return [...table, '', options.replay ? 'replicas the HPA asks for:' : 'replicas over time:', ...chart, '', ...summary];
}

const shown = (ms: number) => (ms === 0 ? '0s' : formatDuration(ms));

/** A per-pod replay: the pods the file shows against what the HPA asks for, and where the two part. */
function replaySummary(hpa: HpaSpec, steps: readonly SimulationStep[], lastT: number): string[] {
  const observed = steps.map((s) => s.observed ?? s.replicas);
  const desired = steps.map((s) => s.decision.desired);
  let differ = 0;
  let first: number | undefined;
  for (let i = 0; i + 1 < steps.length; i++) {
    if (desired[i] !== observed[i + 1]) {
      differ++;
      first ??= steps[i]!.decision.t;
    }
  }
  return [
    `HPA ${hpa.name}: ${steps.length} syncs over ${shown(lastT)} of the file's pods (${observed[0]} → peak ${Math.max(...observed)} → ${observed.at(-1)}); ` +
      `it asks for ${desired[0]} → peak ${Math.max(...desired)} → ${desired.at(-1)}`,
    differ === 0
      ? "every decision matches the pods of the file's next sync"
      : `at ${differ} of ${steps.length - 1} syncs the next sync's pods differ from the decision (first at ${shown(first!)}): ` +
        'another HPA than the one that ran, or a change the cluster had not made yet',
  ];
}
