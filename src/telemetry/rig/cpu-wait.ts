import { readdirSync, readFileSync } from 'node:fs';

/**
 * How long processes waited for a CPU: the run-queue delay the kernel keeps per thread in
 * `/proc/PID/task/TID/schedstat` (its second field: nanoseconds spent runnable but not running).
 * On a starved host every process that wants a core waits its turn; a request being handled by
 * such a process is held up by that wait. The judge subtracts it from request durations
 * (src/verify/cpu-wait-estimate.ts) to tell a starved system from a slow one.
 */

/** `/proc/.../schedstat`: time on a CPU, time waiting on a run queue (ns), timeslices. */
export function parseSchedstat(text: string): { runNs: number; waitNs: number } | undefined {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
  return { runNs: run, waitNs: wait };
}

/** A process of the system under test (or the rig's own), by the service name its spans carry. */
export interface WatchedProcess {
  service: string;
  pid: number;
}

/**
 * Which threads count: `leader`, the process's main thread (Node's JavaScript thread: where a
 * service's requests wait their turn); `others`, whichever other thread waited most (the drill's
 * load generator, whose VUs run on worker threads).
 */
export type ThreadChoice = 'leader' | 'others';

type ReadFile = (path: string) => string | undefined;
type ListDir = (path: string) => string[] | undefined;

export interface CpuWaitMeterOptions {
  /** the processes to measure now (replicas come and go) */
  processes: () => readonly WatchedProcess[];
  /**
   * The drill's own process: its main thread (the bundled stack's balancers and fault proxy, the
   * OTLP receiver) under `main`, its busiest other thread (the load generator's VUs) under `workers`.
   */
  self?: { pid: number; main: string; workers: string };
  readFile?: ReadFile;
  listDir?: ListDir;
}

/** Per service, shares of an interval: waiting for a core, and running on one. */
export interface CpuShares {
  wait: Record<string, number>;
  run: Record<string, number>;
}

/**
 * Reads run-queue waits once per call and returns, per service, the shares of the interval since
 * the previous call that its processes spent waiting for a core and running (the mean over a
 * service's replicas: the replica that served a request is not known). A process first seen has
 * no interval yet and counts from its next reading; one gone is forgotten.
 */
export class CpuWaitMeter {
  private readonly previous = new Map<string, { runNs: number; waitNs: number }>();
  private readonly readFile: ReadFile;
  private readonly listDir: ListDir;

  constructor(private readonly options: CpuWaitMeterOptions) {
    this.readFile = options.readFile ?? readOrUndefined;
    this.listDir = options.listDir ?? listOrUndefined;
  }

  sample(intervalMs: number): CpuShares | undefined {
    if (intervalMs <= 0) return undefined;
    const shares = new Map<string, Array<{ wait: number; run: number }>>();
    const seen = new Set<string>();
    const measure = (service: string, pid: number, threads: ThreadChoice) => {
      let best: { wait: number; run: number } | undefined;
      for (const [tid, now] of this.threadTimes(pid, threads)) {
        const key = `${threads}:${pid}/${tid}`;
        seen.add(key);
        const before = this.previous.get(key);
        this.previous.set(key, now);
        if (before === undefined) continue;
        const share = (to: number, from: number) => Math.min(1, Math.max(0, (to - from) / 1e6 / intervalMs));
        const thread = { wait: share(now.waitNs, before.waitNs), run: share(now.runNs, before.runNs) };
        if (!best || thread.wait > best.wait) best = thread;
      }
      if (best) shares.set(service, [...(shares.get(service) ?? []), best]);
    };
    for (const p of this.options.processes()) measure(p.service, p.pid, 'leader');
    const self = this.options.self;
    if (self) {
      measure(self.main, self.pid, 'leader');
      measure(self.workers, self.pid, 'others');
    }
    for (const key of [...this.previous.keys()]) if (!seen.has(key)) this.previous.delete(key);
    if (!shares.size) return undefined;
    const mean = (values: Array<{ wait: number; run: number }>, of: 'wait' | 'run') => round(values.reduce((s, v) => s + v[of], 0) / values.length);
    return {
      wait: Object.fromEntries([...shares].map(([service, values]) => [service, mean(values, 'wait')])),
      run: Object.fromEntries([...shares].map(([service, values]) => [service, mean(values, 'run')])),
    };
  }

  /** Thread id → its schedstat times; the leader only, or every other thread of the process. */
  private threadTimes(pid: number, threads: ThreadChoice): Map<number, { runNs: number; waitNs: number }> {
    const tids = threads === 'leader' ? [pid] : (this.listDir(`/proc/${pid}/task`) ?? []).map(Number).filter((tid) => Number.isInteger(tid) && tid !== pid);
    const out = new Map<number, { runNs: number; waitNs: number }>();
    for (const tid of tids) {
      const text = this.readFile(`/proc/${pid}/task/${tid}/schedstat`);
      const parsed = text === undefined ? undefined : parseSchedstat(text);
      if (parsed) out.set(tid, parsed);
    }
    return out;
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function listOrUndefined(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
