import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import type { StackState } from '../stack/contract.js';
import { isProcessAlive, readStackState, stackStatePath } from '../stack/stack-state.js';
import { sparkline } from './chart.js';

/**
 * `peakready scale watch`: a live table of replicas per service, from `.peakready/stack.json`
 * (what runs) and the run's timeline (what the autoscaler decided). Reads only; never starts or
 * stops anything.
 */

export interface WatchRow {
  service: string;
  current: number;
  ready: number;
  desired: number | null;
  utilization: number | null;
  target: number | null;
  limitedBy: string;
  history: number[];
}

type ScaleDecisionEvent = Extract<TimelineEvent, { type: 'scale-decision' }>;

/** Pure: one row per service of the stack, with the latest decision and a short history of desired counts. */
export function watchRows(state: StackState, decisions: readonly ScaleDecisionEvent[], historyLength = 30): WatchRow[] {
  return state.services.map((s) => {
    const mine = decisions.filter((d) => d.service === s.name);
    const last = mine.at(-1);
    const live = s.replicas.filter((r) => r.state !== 'stopped');
    return {
      service: s.name,
      current: live.length,
      ready: live.filter((r) => r.state === 'ready').length,
      desired: last?.desired ?? null,
      utilization: last?.utilization ?? null,
      target: last?.target ?? null,
      limitedBy: last?.limitedBy ?? '—',
      history: mine.slice(-historyLength).map((d) => d.desired),
    };
  });
}

export function formatWatchTable(rows: readonly WatchRow[], now: Date): string[] {
  const header = ['service', 'current', 'ready', 'desired', 'cpu', 'limited by', 'desired over time'];
  const body = rows.map((r) => [
    r.service,
    String(r.current),
    String(r.ready),
    r.desired === null ? '—' : String(r.desired),
    r.utilization === null ? '—' : `${Math.round(r.utilization)}%/${r.target}%`,
    r.limitedBy,
    r.history.length ? sparkline(r.history) : '',
  ]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return [`peakready scale watch — ${now.toISOString().slice(11, 19)} UTC`, ...all.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())];
}

/** Plain one-line-per-service form for pipes and CI logs. */
export function formatWatchLines(rows: readonly WatchRow[], now: Date): string[] {
  const time = now.toISOString().slice(11, 19);
  return rows.map(
    (r) =>
      `${time} ${r.service} current=${r.current} ready=${r.ready} desired=${r.desired ?? '-'} cpu=${r.utilization === null ? '-' : Math.round(r.utilization) + '%'} limitedBy=${r.limitedBy}`,
  );
}

/** Reads appended NDJSON lines since the last call (the timeline only grows during a run). */
export class NdjsonTail<T> {
  private offset = 0;
  private partial = '';
  constructor(private readonly path: string) {}

  read(): T[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const fd = openSync(this.path, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const text = this.partial + buffer.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      const out: T[] = [];
      for (const line of lines) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as T);
        } catch {
          // a torn line; skip it
        }
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }
}

/** The running stack, or undefined when its file is gone or its supervisor died. */
function runningStack(): StackState | undefined {
  const state = readStackState();
  return state && isProcessAlive(state.supervisorPid) ? state : undefined;
}

export interface WatchOptions {
  intervalMs: number;
  run?: string;
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  /** stop after this many refreshes (tests) */
  maxRefreshes?: number;
}

export async function watchReplicas(options: WatchOptions): Promise<void> {
  const first = runningStack();
  if (!first) throw new UsageError(`no running stack (${stackStatePath()} is missing or its supervisor is gone); start one with \`peakready up\` or \`peakready drill\``);
  const run = options.run ? RunDirectory.open(options.run) : first.runDir ? new RunDirectory(first.runDir) : RunDirectory.open();
  const tail = new NdjsonTail<TimelineEvent>(run.path('timeline'));
  const decisions: ScaleDecisionEvent[] = [];
  const tty = 'isTTY' in options.out && options.out.isTTY === true;
  let stopped = false;
  let wake: (() => void) | undefined;
  const unregister = onShutdown('scale watch', () => {
    stopped = true;
    wake?.();
  });
  let lastPlain = '';
  try {
    for (let n = 0; !stopped && (options.maxRefreshes === undefined || n < options.maxRefreshes); n++) {
      const state = runningStack();
      if (!state) {
        options.out.write('peakready: the stack has stopped\n');
        return;
      }
      for (const e of tail.read()) if (e.type === 'scale-decision') decisions.push(e);
      if (decisions.length > 5000) decisions.splice(0, decisions.length - 5000);
      const rows = watchRows(state, decisions);
      if (tty) {
        options.out.write('\x1b[H\x1b[2J' + formatWatchTable(rows, new Date()).join('\n') + '\n');
      } else {
        const body = formatWatchLines(rows, new Date(0)).join('\n');
        if (body !== lastPlain) options.out.write(formatWatchLines(rows, new Date()).join('\n') + '\n');
        lastPlain = body;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs).unref();
      });
    }
  } finally {
    unregister();
  }
}
