import type { TimelineEvent } from '../run/records.js';

/** What the drill knows at one instant; rendered as one progress line. */
export interface DrillStatus {
  phase: string;
  elapsedMs: number;
  totalMs: number;
  requestsPerSecond: number;
  p95Ms: number | null;
  errorRate: number;
  replicas: Readonly<Record<string, number>>;
  activeFaults: readonly string[];
}

function mmss(ms: number): string {
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
  const faults = status.activeFaults.length ? status.activeFaults.join(', ') : 'none';
  return (
    `${status.phase.padEnd(8)} ${mmss(status.elapsedMs)}/${mmss(status.totalMs)} (${mmss(left)} left) | ` +
    `${Math.round(status.requestsPerSecond)} req/s p95 ${p95} err ${(status.errorRate * 100).toFixed(1)}% | ` +
    `replicas ${replicas} | faults ${faults}`
  );
}

/** Active faults from the timeline so far: `proxy:toxic-type` or `proxy:down`. */
export function activeFaults(events: readonly TimelineEvent[]): string[] {
  const active = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'fault') continue;
    const key = `${e.proxy}/${e.kind === 'disable' ? 'down' : (e.toxic?.name ?? 'toxic')}`;
    const label = `${e.proxy}:${e.kind === 'disable' ? 'down' : (e.toxic?.type ?? 'toxic')}`;
    if (e.state === 'on') active.set(key, label);
    else active.delete(key);
  }
  return [...active.values()];
}
