import { Chalk } from 'chalk';
import type { StackState } from '../stack/contract.js';
import { referenceStack } from '../stack/definition.js';
import { renderTable } from '../util/text-table.js';

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

/** The status table: a boxed table fitted to the terminal's `width`, aligned plain columns otherwise (logs, CI). */
export function renderStatusTable(state: StackState, options: { tty: boolean; health?: HealthByReplica; width?: number; color?: boolean }): string {
  const body = rows(state, options.health);
  if (options.tty) {
    const c = new Chalk({ level: options.color === false ? 0 : 1 });
    return renderTable({ head: HEAD, rows: body, width: options.width ?? 100, headStyle: (h) => c.cyan(h) });
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
