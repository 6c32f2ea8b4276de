import { readdirSync, readFileSync } from 'node:fs';

/**
 * Measured CPU of replica processes from /proc: utime + stime of the replica and of every process
 * below it (its own children, e.g. a worker it forked), plus cutime + cstime so that a child that
 * exited and was reaped keeps counting. Kubernetes' metrics-server reads the container's cgroup;
 * a local replica has no container, so its process tree stands in for it.
 */

/** USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream Linux build). */
const TICKS_PER_SECOND = 100;

interface ProcEntry {
  ppid: number;
  /** utime + stime + cutime + cstime */
  ticks: number;
}

function parseStat(text: string): ProcEntry | undefined {
  // the command name may hold spaces and parentheses: fields start after the last ')'
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
  return Number.isFinite(ppid) && Number.isFinite(ticks) ? { ppid, ticks } : undefined;
}

function readStat(pid: number): ProcEntry | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** One pass over /proc: every process's parent and CPU ticks. */
export function readProcessTable(): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const entry = readStat(pid);
    if (entry) table.set(pid, entry);
  }
  return table;
}

/** CPU seconds of a process and its descendants, or undefined when the process is gone. */
export function treeCpuSeconds(root: number, table: ReadonlyMap<number, ProcEntry>, children: ReadonlyMap<number, number[]>): number | undefined {
  if (!table.has(root)) return undefined;
  let ticks = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += table.get(pid)?.ticks ?? 0;
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Reads the process table once; the reader gives a process tree's CPU seconds (undefined when gone). */
function processTreeReader(): (pid: number) => number | undefined {
  const table = readProcessTable();
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(pid);
    else children.set(entry.ppid, [pid]);
  }
  return (pid) => treeCpuSeconds(pid, table, children);
}

/** Cumulative CPU seconds of each process tree, from one pass over /proc; processes that are gone are left out. */
export function processTreeCpuSeconds(pids: readonly number[]): Map<number, number> {
  const read = processTreeReader();
  const out = new Map<number, number>();
  for (const pid of pids) {
    const seconds = read(pid);
    if (seconds !== undefined) out.set(pid, seconds);
  }
  return out;
}

export interface CpuReading {
  pid: number;
  /** cumulative CPU seconds of the replica's process tree */
  cpuSeconds: number;
  /** average usage since the previous reading, millicores; undefined on the first reading */
  usageMillicores?: number;
}

/**
 * Keeps the previous reading per replica and turns cumulative CPU time into usage over the last
 * interval. `includeChildren: false` reads only each replica's own /proc/<pid>/stat (cheaper:
 * no scan of /proc) for replicas known not to fork.
 */
export class CpuSampler {
  private readonly previous = new Map<string, { t: number; pid: number; cpuSeconds: number }>();

  constructor(private readonly options: { includeChildren?: boolean } = {}) {}

  sample(replicas: ReadonlyArray<{ id: string; pid: number }>, now: number): Map<string, CpuReading> {
    const out = new Map<string, CpuReading>();
    let read: (pid: number) => number | undefined;
    if (this.options.includeChildren === false) {
      read = (pid) => {
        const entry = readStat(pid);
        return entry ? entry.ticks / TICKS_PER_SECOND : undefined;
      };
    } else {
      read = processTreeReader();
    }
    const alive = new Set<string>();
    for (const r of replicas) {
      const cpuSeconds = read(r.pid);
      if (cpuSeconds === undefined) continue;
      alive.add(r.id);
      const before = this.previous.get(r.id);
      const reading: CpuReading = { pid: r.pid, cpuSeconds };
      if (before && before.pid === r.pid && now > before.t) {
        // a child that exited unreaped takes its time with it: never report negative usage
        reading.usageMillicores = (Math.max(0, cpuSeconds - before.cpuSeconds) * 1_000_000) / (now - before.t);
      }
      this.previous.set(r.id, { t: now, pid: r.pid, cpuSeconds });
      out.set(r.id, reading);
    }
    for (const id of this.previous.keys()) if (!alive.has(id)) this.previous.delete(id);
    return out;
  }
}
