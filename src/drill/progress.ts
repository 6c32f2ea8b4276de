import type { FaultWindow } from '../run/timeline.js';

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

/** `01:05` for 65 s: the drill's clock in the status line and the dry-run plan. */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** `surge 01:12/03:00 (1:48 left) | 412 req/s p95 87ms err 0.2% | replicas catalog 3 search 2 | faults recommendations:down` */
export function formatDrillStatus(status: DrillStatus): string {
  const left = status.totalMs - status.elapsedMs;
  const p95 = status.p95Ms === null ? '-' : `${Math.round(status.p95Ms)}ms`;
  const scaled = Object.entries(status.replicas)
    .filter(([, n]) => n > 1)
    .map(([service, n]) => `${service} ${n}`);
  const replicas = scaled.length ? scaled.join(' ') : 'all at 1';
  const faults = status.activeFaults.length ? status.activeFaults.map(faultLabel).join(', ') : 'none';
  return (
    `${status.phase.padEnd(8)} ${mmss(status.elapsedMs)}/${mmss(status.totalMs)} (${mmss(left)} left) | ` +
    `${Math.round(status.requestsPerSecond)} req/s p95 ${p95} err ${(status.errorRate * 100).toFixed(1)}% | ` +
    `replicas ${replicas} | faults ${faults}`
  );
}

/** `proxy:toxic-type`, or `proxy:down` for a disabled proxy. */
function faultLabel(fault: FaultWindow): string {
  return `${fault.proxy}:${fault.kind === 'disable' ? 'down' : (fault.toxic?.type ?? 'toxic')}`;
}

/** `k6-operator started 01:12/03:00 | 4 runners | faults recommendations:down`: what the drill knows of a load in a cluster. */
export function formatOperatorStatus(status: { stage: string; elapsedMs: number; totalMs: number; parallelism: number; activeFaults: readonly FaultWindow[] }): string {
  const faults = status.activeFaults.length ? status.activeFaults.map(faultLabel).join(', ') : 'none';
  return `k6-operator ${status.stage.padEnd(14)} ${mmss(status.elapsedMs)}/${mmss(status.totalMs)} | ${status.parallelism} runners | faults ${faults}`;
}
