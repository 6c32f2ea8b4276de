import Table from 'cli-table3';
import type { TimelineEvent } from '../run/records.js';
import type { ReplicaInfo, StackState } from './contract.js';
import { referenceStack } from './definition.js';

/** How each replica answered GET /healthz: 'healthy', 'unhealthy (503)', 'unreachable', or '-' (not probed). */
export type HealthByReplica = ReadonlyMap<string, string>;

/** Probes every replica's /healthz in parallel (bounded by timeoutMs each). */
export async function probeHealth(state: StackState, timeoutMs = 1_000): Promise<Map<string, string>> {
  const replicas = state.services.flatMap((s) => s.replicas).filter((r) => r.port > 0);
  const results = await Promise.all(
    replicas.map(async (r): Promise<[string, string]> => {
      try {
        const res = await fetch(`http://127.0.0.1:${r.port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        return [r.id, res.ok ? 'healthy' : `unhealthy (${res.status})`];
      } catch {
        return [r.id, 'unreachable'];
      }
    }),
  );
  return new Map(results);
}

function rows(state: StackState, health?: HealthByReplica): string[][] {
  const out: string[][] = [];
  for (const s of state.services) {
    if (s.replicas.length === 0) out.push([s.name, String(s.port), '-', '-', '-', 'no replicas', '-']);
    for (const r of s.replicas) {
      out.push([s.name, String(s.port), r.id, String(r.pid), r.port ? String(r.port) : '-', r.state, health?.get(r.id) ?? '-']);
    }
  }
  return out;
}

const HEAD = ['service', 'port', 'replica', 'pid', 'replica port', 'state', 'health'];

/** The status table: a boxed table on a terminal, aligned plain columns otherwise (logs, CI). */
export function renderStatusTable(state: StackState, options: { tty: boolean; health?: HealthByReplica }): string {
  const body = rows(state, options.health);
  if (options.tty) {
    // no rule between rows: the whole stack fits a terminal
    const table = new Table({ head: HEAD, style: { head: ['cyan'] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
    table.push(...body);
    return table.toString();
  }
  const all = [HEAD, ...body];
  const widths = HEAD.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Lines under the table: where things are. */
export function renderStackSummary(state: StackState): string {
  const lines = [`gateway        ${state.gatewayUrl}`];
  lines.push(`fault proxy    ${state.toxiproxyUrl ?? 'off (edges go straight to the services)'}`);
  lines.push(`database       ${state.databaseUrl}`);
  lines.push(`tracing        ${state.otlpUrl ?? 'off'}`);
  if (state.prometheusUrl) lines.push(`prometheus     ${state.prometheusUrl} (scrapes every replica; alerts/ rules loaded)`);
  lines.push(`supervisor     pid ${state.supervisorPid}, metrics http://127.0.0.1:${state.basePort + referenceStack().admin.supervisorMetricsOffset}/metrics`);
  if (state.runDir) lines.push(`run directory  ${state.runDir}`);
  return lines.join('\n');
}

/** One plain line per timeline event, for the live view when stdout is not a terminal. */
export function describeEvent(event: TimelineEvent): string | undefined {
  switch (event.type) {
    case 'stack':
      return `stack ${event.state}${event.detail ? `: ${event.detail}` : ''}`;
    case 'replica':
      return `${event.replica} ${event.state} (pid ${event.pid})`;
    case 'replicas':
      return `${event.service}: ${event.from} -> ${event.to} replicas (${event.ready} ready)`;
    case 'note':
      return `${event.level}: ${event.message}`;
    default:
      return undefined;
  }
}

export function countReady(replicas: readonly ReplicaInfo[]): number {
  return replicas.filter((r) => r.state === 'ready').length;
}
