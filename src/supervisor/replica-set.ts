import type { ChildProcess } from 'node:child_process';
import { EnvironmentError } from '../errors.js';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { distEntry } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import type { RoundRobinBalancer } from './balancer.js';
import { isReplicaReadyMessage, type ReplicaInfo } from '../stack/contract.js';
import type { ServiceDefinition, ServiceName } from '../stack/definition.js';
import { logTail } from './log-tail.js';

/**
 * The replicas of one service, kept at the wanted count like a Kubernetes ReplicaSet: scale up
 * starts processes that join the balancer when they report ready; scale down takes replicas out
 * of the rotation, lets their in-flight requests finish, then stops them; a replica that dies
 * unasked is replaced (with a crash-loop back-off). During the initial start a replica that dies
 * or never gets ready fails the start instead, with its log's last lines.
 */

export interface ReplicaSetOptions {
  service: ServiceDefinition;
  balancer: RoundRobinBalancer;
  environment(replicaId: string): NodeJS.ProcessEnv;
  logFile(replicaId: string): string;
  readyTimeoutMs: number;
  /** replica events (the supervisor puts them on the timeline) */
  record(event: TimelineEvent): void;
  /** something changed (stack.json is rewritten) */
  changed(): void;
  onSpawned?(info: ReplicaInfo): void;
}

interface Replica {
  info: ReplicaInfo;
  child: ChildProcess;
  /** we asked it to stop: its exit is not a crash */
  stopping: boolean;
  readyTimer?: NodeJS.Timeout;
}

/** a drained replica (scale-down) gets the contract's 10 s to finish; a whole-stack stop must fit the 10 s shutdown hook */
const STOP_GRACE_MS = 10_000;
const SHUTDOWN_GRACE_MS = 5_000;
const MAX_BACKOFF_MS = 10_000;

export class ReplicaSet {
  private readonly options: ReplicaSetOptions;
  private readonly members: Replica[] = [];
  private readonly draining = new Set<Replica>();
  private readonly pendingStops = new Set<Promise<void>>();
  private counter = 0;
  private wanted = 0;
  private crashStreak = 0;
  private replaceTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** set while the initial start waits: failures reject it instead of being replaced */
  private startup: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: ReplicaSetOptions) {
    this.options = options;
  }

  get name(): ServiceName {
    return this.options.service.name;
  }

  get desired(): number {
    return this.wanted;
  }

  /** Members of the set (starting and ready); draining replicas are leaving and not counted. */
  replicas(): ReplicaInfo[] {
    return this.members.map((r) => ({ ...r.info }));
  }

  /** Members plus draining replicas, for stack.json and status. */
  allReplicas(): ReplicaInfo[] {
    return [...this.members, ...this.draining].map((r) => ({ ...r.info }));
  }

  readyCount(): number {
    return this.members.filter((r) => r.info.state === 'ready').length;
  }

  /** Starts `count` replicas and resolves when all are ready (rejects with the first failure). */
  start(count: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.startup = { resolve, reject }));
    this.scale(count);
    this.checkStartup();
    return done;
  }

  /** Sets the wanted count; resolves once the change is made (new replicas are not ready yet). */
  scale(count: number): void {
    if (this.closed) return;
    const from = this.wanted;
    this.wanted = Math.max(0, Math.floor(count));
    this.fill();
    if (this.members.length > this.wanted) {
      // as a ReplicaSet: not-ready replicas go first, then the newest
      const victims = [...this.members]
        .sort((a, b) => rank(a) - rank(b) || b.info.startedAt - a.info.startedAt)
        .slice(0, this.members.length - this.wanted);
      for (const victim of victims) this.retire(victim);
    }
    if (from !== this.wanted) {
      this.options.record({ t: Date.now(), type: 'replicas', service: this.name, from, to: this.wanted, ready: this.readyCount() });
    }
    this.options.changed();
  }

  /** Stops every replica (SIGTERM, SIGKILL after the grace period) and waits for drains under way. */
  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.replaceTimer);
    // a start still waiting for readiness ends: nothing will become ready any more
    const startup = this.startup;
    this.startup = undefined;
    startup?.reject(new Error(`${this.name}: stopped before its replicas were ready`));
    const all = [...this.members.splice(0)];
    for (const r of all) {
      r.stopping = true;
      clearTimeout(r.readyTimer);
      this.options.balancer.drop(r.info.id);
    }
    await Promise.all([...all.map((r) => stopChild(r.child, SHUTDOWN_GRACE_MS)), ...this.pendingStops]);
  }

  /** Starts replicas until the set has the wanted count (stops early when one cannot be started). */
  private fill(): void {
    for (let missing = this.wanted - this.members.length; missing > 0; missing--) if (!this.spawn()) break;
  }

  private spawn(): boolean {
    const id = `${this.name}-${++this.counter}`;
    const { service } = this.options;
    const entry = this.entryOf(id);
    if (!entry) return false;
    const child = spawnManaged({
      name: id,
      command: process.execPath,
      args: [entry],
      env: this.options.environment(id),
      logFile: this.options.logFile(id),
      ipc: true,
    });
    const info: ReplicaInfo = {
      service: service.name,
      id,
      pid: child.pid ?? 0,
      port: 0,
      state: 'starting',
      startedAt: Date.now(),
      cpuRequestMillicores: service.resources.requests.cpuMillicores,
    };
    const replica: Replica = { info, child, stopping: false };
    this.members.push(replica);
    child.on('message', (message) => {
      if (isReplicaReadyMessage(message) && !replica.stopping && info.state === 'starting') this.ready(replica, message.port);
    });
    child.once('error', (error) => this.exited(replica, `could not start: ${error.message}`));
    child.once('exit', (code, signal) => this.exited(replica, signal ? `was killed by ${signal}` : `exited with code ${code}`));
    replica.readyTimer = setTimeout(() => this.neverReady(replica), this.options.readyTimeoutMs);
    this.options.record({ t: Date.now(), type: 'replica', service: this.name, replica: id, pid: info.pid, state: 'started' });
    this.options.onSpawned?.({ ...info });
    return true;
  }

  /** The service's built entry; undefined (start failed, or a replacement scheduled) when it is missing. */
  private entryOf(id: string): string | undefined {
    try {
      return distEntry(this.options.service.entry);
    } catch (error) {
      // e.g. dist/ being rebuilt: retried with back-off, never an exception in a timer
      const message = `cannot start ${id}: ${(error as Error).message}`;
      if (this.startup) {
        const startup = this.startup;
        this.startup = undefined;
        startup.reject(new EnvironmentError(message));
      } else {
        this.options.record({ t: Date.now(), type: 'note', level: 'error', message });
        this.scheduleReplacement();
      }
      return undefined;
    }
  }

  /** The replica reported ready: it joins the balancer's rotation. */
  private ready(replica: Replica, port: number): void {
    const { info } = replica;
    clearTimeout(replica.readyTimer);
    info.port = port;
    info.state = 'ready';
    info.readyAt = Date.now();
    this.crashStreak = 0;
    this.options.balancer.add({ id: info.id, port });
    this.options.record({ t: Date.now(), type: 'replica', service: this.name, replica: info.id, pid: info.pid, state: 'ready' });
    this.options.changed();
    this.checkStartup();
  }

  private retire(replica: Replica): void {
    const i = this.members.indexOf(replica);
    if (i >= 0) this.members.splice(i, 1);
    replica.stopping = true;
    clearTimeout(replica.readyTimer);
    const wasReady = replica.info.state === 'ready';
    replica.info.state = 'draining';
    this.draining.add(replica);
    this.options.record({ t: Date.now(), type: 'replica', service: this.name, replica: replica.info.id, pid: replica.info.pid, state: 'draining' });
    const stopped = (async () => {
      if (wasReady) await this.options.balancer.remove(replica.info.id);
      await stopChild(replica.child, STOP_GRACE_MS);
    })();
    this.pendingStops.add(stopped);
    void stopped.finally(() => this.pendingStops.delete(stopped));
  }

  private exited(replica: Replica, how: string): void {
    if (replica.info.state === 'stopped') return;
    clearTimeout(replica.readyTimer);
    const wasReady = replica.info.state === 'ready';
    replica.info.state = 'stopped';
    this.draining.delete(replica);
    const i = this.members.indexOf(replica);
    if (i >= 0) this.members.splice(i, 1);
    const crashed = !replica.stopping;
    this.options.record({ t: Date.now(), type: 'replica', service: this.name, replica: replica.info.id, pid: replica.info.pid, state: crashed ? 'crashed' : 'stopped' });
    this.options.changed();
    if (!crashed || this.closed) return;
    if (wasReady) this.options.balancer.drop(replica.info.id);
    if (this.startup) {
      return this.failStartup(
        `${replica.info.id} ${how} before it became ready; fix the cause shown in its log (${this.options.logFile(replica.info.id)})`,
        replica,
      );
    }
    this.scheduleReplacement();
  }

  private neverReady(replica: Replica): void {
    const seconds = Math.round(this.options.readyTimeoutMs / 1000);
    if (this.startup) {
      replica.stopping = true;
      void stopChild(replica.child, 1000);
      return this.failStartup(
        `${replica.info.id} did not become ready within ${seconds} s (no {"type":"ready"} IPC message); ` +
          `fix the cause shown in its log (${this.options.logFile(replica.info.id)})`,
        replica,
      );
    }
    // at run time: kill it; the exit handler replaces it (as a failing liveness probe would)
    this.options.record({ t: Date.now(), type: 'note', level: 'warn', message: `${replica.info.id} not ready after ${seconds} s; replacing it` });
    signalStop(replica.child);
  }

  private failStartup(message: string, replica: Replica): void {
    const startup = this.startup;
    this.startup = undefined;
    const tail = logTail(this.options.logFile(replica.info.id), 8);
    startup?.reject(new EnvironmentError(tail ? `${message}\n  last log lines:\n${indent(tail)}` : message));
  }

  private checkStartup(): void {
    if (this.startup && this.readyCount() >= this.wanted) {
      const startup = this.startup;
      this.startup = undefined;
      startup.resolve();
    }
  }

  private scheduleReplacement(): void {
    if (this.replaceTimer || this.closed) return;
    const delay = this.crashStreak === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.crashStreak);
    this.crashStreak++;
    this.replaceTimer = setTimeout(() => {
      this.replaceTimer = undefined;
      if (this.closed) return;
      this.fill();
      this.options.changed();
    }, delay);
  }
}

function rank(r: Replica): number {
  return r.info.state === 'ready' ? 1 : 0;
}

function signalStop(child: ChildProcess): void {
  void stopChild(child, 2000);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
