import { faultWhat, type FaultWindow } from '../run/timeline.js';
import { mmss } from '../util/duration.js';

/** What the drill knows at one instant; rendered as one progress line. */
export interface DrillStatus {
  phase: string;
  elapsedMs: number;
  totalMs: number;
  requestsPerSecond: number;
  p95Ms: number | null;
  errorRate: number;
  replicas: Readonly<Record<string, number>>;
  /** the faults on now (`activeFaults` of run/timeline.ts) */
  activeFaults: readonly FaultWindow[];
}

/**
 * `surge 01:48 left | err 0.2% | faults recommendations:down | replicas catalog 3 search 2 | 412 req/s p95 87ms | 01:12/03:00`:
 * what matters first, so that a narrow terminal (`width`) cuts the least important part. Lists
 * that do not fit are shortened (`catalog 3 +2 more`) before a part is dropped; the phase, the time
 * left, the errors and the faults on now are kept whatever the width.
 */
export function formatDrillStatus(status: DrillStatus, width = Number.POSITIVE_INFINITY): string {
  const left = status.totalMs - status.elapsedMs;
  const p95 = status.p95Ms === null ? '-' : `${Math.round(status.p95Ms)}ms`;
  const scaled = Object.entries(status.replicas)
    .filter(([, n]) => n > 1)
    .map(([service, n]) => `${service} ${n}`);
  const faults = status.activeFaults.map(faultLabel);
  const parts: Part[] = [
    { text: `${status.phase} ${mmss(left)} left`, keep: true },
    { text: `err ${(status.errorRate * 100).toFixed(1)}%`, keep: true },
    faults.length ? { list: faults, prefix: 'faults ', keep: true } : { text: 'no faults', keep: true },
    scaled.length ? { list: scaled, prefix: 'replicas ' } : { text: 'replicas all at 1' },
    { text: `${Math.round(status.requestsPerSecond)} req/s p95 ${p95}` },
    { text: `${mmss(status.elapsedMs)}/${mmss(status.totalMs)}` },
  ];
  return fitParts(parts, width);
}

type Part = { text: string; keep?: boolean } | { list: string[]; prefix: string; keep?: boolean };

const SEPARATOR = ' | ';

/**
 * Parts joined by ` | ` in at most `width` columns. From the last part to the first, until it fits:
 * a list is shortened down to one item, then an optional part is dropped.
 */
function fitParts(parts: readonly Part[], width: number): string {
  const shown = parts.map((p) => ('text' in p ? { ...p } : { ...p, count: p.list.length }));
  const render = () => shown.map((p) => ('text' in p ? p.text : listText(p.prefix, p.list, p.count))).join(SEPARATOR);
  const fits = () => render().length <= width;
  for (let i = shown.length - 1; i >= 0 && !fits(); i--) {
    const p = shown[i]!;
    if (!('text' in p)) while (p.count > 1 && !fits()) p.count--;
    if (!fits() && !p.keep) shown.splice(i, 1);
  }
  const line = render();
  return line.length <= width ? line : line.slice(0, Math.max(0, width - 1)) + '…';
}

function listText(prefix: string, list: readonly string[], count: number): string {
  return prefix + list.slice(0, count).join(' ') + (count < list.length ? ` +${list.length - count} more` : '');
}

/** `proxy:toxic-type`, or `proxy:down` for a disabled proxy. */
function faultLabel(fault: FaultWindow): string {
  return `${fault.proxy}:${faultWhat(fault)}`;
}

/** `k6-operator started 01:12/03:00 | 4 runners | faults recommendations:down`: what the drill knows of a load in a cluster. */
export function formatOperatorStatus(status: { stage: string; elapsedMs: number; totalMs: number; parallelism: number; activeFaults: readonly FaultWindow[] }): string {
  const faults = status.activeFaults.length ? status.activeFaults.map(faultLabel).join(', ') : 'none';
  return `k6-operator ${status.stage.padEnd(14)} ${mmss(status.elapsedMs)}/${mmss(status.totalMs)} | ${status.parallelism} runners | faults ${faults}`;
}
