import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Per-replica CPU limits, so that on a small machine a replica cannot use more than its share and
 * scaling out really adds capacity (up to the machine's cores). A Kubernetes CPU limit is a CFS
 * quota on the container's cgroup; locally each replica gets its own cgroup with the same quota:
 *   cgroup v2: <own cgroup>/peakready/<pid>/cpu.max = "<quota> <period>" (needs the cpu
 *              controller delegated to our cgroup: cgroup.controllers lists "cpu")
 *   cgroup v1: <cpu controller mount><own path>/peakready/<pid>/cpu.cfs_quota_us + cpu.cfs_period_us
 * Detection actually creates a probe cgroup and writes a quota; it reports why not when it can't.
 */

const PERIOD_US = 100_000;
const GROUP = 'peakready';

export interface CpuLimitSupport {
  supported: boolean;
  /** 'v2' | 'v1' when supported */
  mode?: 'v1' | 'v2';
  /** where replica cgroups are created */
  root?: string;
  reason: string;
}

let cached: CpuLimitSupport | undefined;

export function cpuLimitSupport(options: { refresh?: boolean } = {}): CpuLimitSupport {
  if (cached && !options.refresh) return cached;
  cached = detect();
  return cached;
}

function ownCgroupPath(controller: string | null): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [id, controllers, path] = line.split(':');
      if (path === undefined) continue;
      if (controller === null ? id === '0' && controllers === '' : controllers!.split(',').includes(controller)) return path;
    }
  } catch {
    // not Linux
  }
  return undefined;
}

function mounts(): Array<{ dir: string; type: string; options: string[] }> {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length >= 4)
      .map((f) => ({ dir: f[1]!, type: f[2]!, options: f[3]!.split(',') }));
  } catch {
    return [];
  }
}

function probe(root: string, write: (dir: string) => void): string | undefined {
  const dir = join(root, `probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    write(dir);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // never created
    }
  }
}

function detect(): CpuLimitSupport {
  if (process.platform !== 'linux') return { supported: false, reason: `cgroups are Linux-only (this is ${process.platform})` };
  const all = mounts();
  const reasons: string[] = [];
  const v2 = all.find((m) => m.type === 'cgroup2');
  const v2Path = ownCgroupPath(null);
  if (v2 && v2Path !== undefined) {
    const own = join(v2.dir, v2Path);
    const controllers = safeRead(join(own, 'cgroup.controllers'));
    if (controllers?.split(/\s+/).includes('cpu')) {
      const root = join(own, GROUP);
      const failed = probe(root, (dir) => {
        if (!safeRead(join(root, 'cgroup.subtree_control'))?.includes('cpu')) writeFileSync(join(root, 'cgroup.subtree_control'), '+cpu');
        writeFileSync(join(dir, 'cpu.max'), `${PERIOD_US / 5} ${PERIOD_US}`);
      });
      if (!failed) return { supported: true, mode: 'v2', root, reason: `cgroup v2: cpu.max under ${root}` };
      reasons.push(`cgroup v2 at ${own}: cannot create a child with cpu.max (${failed}); the cpu controller is not delegated to this cgroup`);
    } else {
      reasons.push(`cgroup v2 at ${own}: the cpu controller is not available here (cgroup.controllers: "${controllers?.trim() ?? 'unreadable'}")`);
    }
  }
  const v1 = all.find((m) => m.type === 'cgroup' && m.options.includes('cpu'));
  const v1Path = ownCgroupPath('cpu');
  if (v1 && v1Path !== undefined) {
    const root = join(v1.dir, v1Path, GROUP);
    const failed = probe(root, (dir) => {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(PERIOD_US / 5));
    });
    if (!failed) return { supported: true, mode: 'v1', root, reason: `cgroup v1 cpu controller: cpu.cfs_quota_us under ${root}` };
    reasons.push(`cgroup v1 cpu controller at ${v1.dir}: cannot create a cgroup with a CFS quota (${failed})`);
  }
  if (reasons.length === 0) reasons.push('no cgroup filesystem with a cpu controller is mounted');
  return { supported: false, reason: reasons.join('; ') };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface CpuLimitHandle {
  pid: number;
  millicores: number;
  path: string;
  /** removes the replica's cgroup (after the process exited; tolerates a live one by moving it out) */
  release(): void;
}

/**
 * Puts a process (and the children it starts afterwards) under a CPU quota of `millicores`.
 * Throws with the reason when the machine does not allow it; check cpuLimitSupport() first.
 */
export function placeInCpuLimit(pid: number, millicores: number): CpuLimitHandle {
  const support = cpuLimitSupport();
  if (!support.supported || !support.root) throw new Error(`per-replica CPU limits are not available here: ${support.reason}`);
  if (!(millicores > 0)) throw new Error(`CPU limit must be positive, got ${millicores}m`);
  const root = support.root;
  const path = join(root, String(pid));
  mkdirSync(path, { recursive: true });
  const quota = Math.max(1000, Math.round((millicores / 1000) * PERIOD_US));
  if (support.mode === 'v2') {
    writeFileSync(join(path, 'cpu.max'), `${quota} ${PERIOD_US}`);
  } else {
    writeFileSync(join(path, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(path, 'cpu.cfs_quota_us'), String(quota));
  }
  writeFileSync(join(path, 'cgroup.procs'), String(pid));
  return {
    pid,
    millicores,
    path,
    release: () => releaseCgroup(path, join(root, '..')),
  };
}

function releaseCgroup(path: string, parent: string): void {
  if (!existsSync(path)) return;
  // a live process keeps the cgroup busy: move it to the parent first
  for (const pid of (safeRead(join(path, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
    try {
      writeFileSync(join(parent, 'cgroup.procs'), pid);
    } catch {
      // exited meanwhile
    }
  }
  try {
    rmdirSync(path);
  } catch {
    // still busy (a zombie not yet reaped); removeStaleCpuLimits() takes it next time
  }
}

/** Removes empty replica cgroups an earlier crashed run left behind. Returns how many. */
export function removeStaleCpuLimits(): number {
  const support = cpuLimitSupport();
  if (!support.supported || !support.root || !existsSync(support.root)) return 0;
  let removed = 0;
  for (const name of readdirSync(support.root, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    try {
      rmdirSync(join(support.root, name.name));
      removed++;
    } catch {
      // in use
    }
  }
  return removed;
}

/**
 * The supervisor's `onReplicaSpawned` hook for a stack: each replica goes under its service's
 * declared CPU limit (`resources.limits.cpuMillicores`), as a Kubernetes container would. On a
 * machine without cgroup support `supported` is false and the hook does nothing.
 */
export function createCpuLimiter(definition: { services: ReadonlyArray<{ name: string; resources: { limits: { cpuMillicores: number } } }> }): {
  support: CpuLimitSupport;
  onReplicaSpawned(info: { service: string; pid: number }): void;
  /** removes every replica cgroup (call after the stack stopped) */
  release(): void;
  /** replicas that could not be placed, with why */
  failures: string[];
} {
  const support = cpuLimitSupport();
  const handles: CpuLimitHandle[] = [];
  const failures: string[] = [];
  // empty cgroups a SIGKILLed earlier run left behind
  removeStaleCpuLimits();
  return {
    support,
    failures,
    onReplicaSpawned(info) {
      if (!support.supported || info.pid <= 0) return;
      const service = definition.services.find((s) => s.name === info.service);
      if (!service) return;
      try {
        handles.push(placeInCpuLimit(info.pid, service.resources.limits.cpuMillicores));
      } catch (error) {
        failures.push(`${info.service} pid ${info.pid}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    release() {
      for (const h of handles.splice(0)) h.release();
    },
  };
}

/**
 * What this machine can show about scaling out a service whose replicas are limited to
 * `limitMillicores`: with enforced limits, more replicas add CPU until they fill the cores
 * (`maxEffectiveReplicas`); without limits, one replica can already take every core, so more
 * replicas add concurrency, not CPU.
 */
export function capacityHeadroom(limitMillicores: number, cores: number): { supported: boolean; maxEffectiveReplicas: number; reason: string } {
  const support = cpuLimitSupport();
  if (!support.supported) {
    return { supported: false, maxEffectiveReplicas: 1, reason: `no per-replica CPU limits (${support.reason}): one replica can use all ${cores} cores, so scaling out adds concurrency, not CPU` };
  }
  const maxEffectiveReplicas = Math.max(1, Math.floor((cores * 1000) / limitMillicores));
  return {
    supported: true,
    maxEffectiveReplicas,
    reason: `per-replica limit ${limitMillicores}m enforced (${support.mode === 'v2' ? 'cgroup v2 cpu.max' : 'cgroup v1 CFS quota'}): CPU grows with replicas up to ${maxEffectiveReplicas} on ${cores} cores (if nothing else uses them)`,
  };
}
