import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RigSample } from '../../run/records.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { CpuWaitMeter, type WatchedProcess } from './cpu-wait.js';

/**
 * Measures the test rig during a drill, once a second, into metrics.ndjson as `rig` samples: host
 * CPU saturation across all cores (from /proc/stat, steal included) and the event-loop delay of
 * the drill's own process (perf_hooks), and how long the system's local processes and the drill's
 * own threads waited for a core (run-queue delay, ./cpu-wait.ts). The load generator's lag is in
 * its request records (intended vs actual start); together they tell the judge when the rig, not
 * the system, was slow.
 */

/**
 * The drill's own process in a sample's `cpuWait`: its main thread (the bundled stack's balancers
 * and fault proxy, the OTLP receiver), and the load generator's busiest VU thread.
 */
export const RIG_MAIN_THREAD = 'peakready';
export const LOAD_GENERATOR = 'load generator';

export interface CpuTimes {
  /** busy jiffies: user, nice, system, irq, softirq, steal */
  busy: number;
  steal: number;
  /** busy + idle + iowait */
  total: number;
}

/** The aggregate `cpu` line of /proc/stat (guest time is already inside user). */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, steal, total: busy + idle + iowait };
}

/** Shares of the interval between two readings; undefined when no time passed. */
export function cpuShares(before: CpuTimes, after: CpuTimes): { cpuBusy: number; cpuSteal: number } | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  return { cpuBusy: (after.busy - before.busy) / total, cpuSteal: (after.steal - before.steal) / total };
}

function readProcStat(): string | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
}

export interface RigSamplerOptions {
  runDir: Pick<RunDirectory, 'appendMetrics'>;
  intervalMs?: number;
  /** /proc/stat's text (tests); undefined where there is none */
  readStat?: () => string | undefined;
  /** the system's local processes whose run-queue wait to measure (the bundled stack's replicas) */
  processes?: () => readonly WatchedProcess[];
}

export interface RigSampler {
  stop(): void;
}

export function startRigSampler(options: RigSamplerOptions): RigSampler {
  const intervalMs = options.intervalMs ?? 1000;
  const readStat = options.readStat ?? readProcStat;
  const cores = availableParallelism();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const waits = new CpuWaitMeter({ processes: options.processes ?? (() => []), self: { pid: process.pid, main: RIG_MAIN_THREAD, workers: LOAD_GENERATOR } });
  waits.sample(1);
  let previous = parseProcStat(readStat() ?? '');
  let last = Date.now();
  const sample = () => {
    const now = Date.now();
    const current = parseProcStat(readStat() ?? '');
    const shares = previous && current ? cpuShares(previous, current) : undefined;
    const cpu = waits.sample(now - last);
    const record: RigSample = {
      t: now,
      source: 'rig',
      intervalMs: now - last,
      cores,
      ...(shares ? { cpuBusy: round(shares.cpuBusy), cpuSteal: round(shares.cpuSteal) } : {}),
      loopDelayP99Ms: round(loop.percentile(99) / 1e6),
      loopDelayMaxMs: round(loop.max / 1e6),
      ...(cpu ? { cpuWait: cpu.wait, cpuRun: cpu.run } : {}),
    };
    options.runDir.appendMetrics([record]);
    loop.reset();
    [previous, last] = [current, now];
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      loop.disable();
    },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
