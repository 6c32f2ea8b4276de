import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { distEntry } from '../paths.js';
import type { HostPort } from './address.js';
import { connectionCapacity, openFileLimit } from './file-limit.js';
import type { FromHelper, ToHelper } from './helper-protocol.js';
import type { ToxicState } from './toxic-state.js';

/** Where the fault proxy's connections are: here, and in each helper process. */
export interface Placement {
  local: number;
  helpers: Array<{ pid: number; connections: number }>;
}

type Change = ToHelper extends infer M ? (M extends { seq: number } ? Omit<M, 'seq'> : never) : never;

/** At most this many helper processes (each holds as many connections as this process). */
const MAX_HELPERS = 8;

/** One helper process and what it holds. */
class Helper {
  connections = 0;
  private seq = 0;
  private readonly pending = new Map<number, () => void>();
  readonly exited: Promise<void>;

  /** `onExit`: called as the process goes, before anything else hears of it */
  constructor(
    readonly child: ChildProcess,
    onExit: (helper: Helper) => void,
  ) {
    child.on('message', (message: FromHelper) => {
      if (message.type === 'ack') {
        this.pending.get(message.seq)?.();
        this.pending.delete(message.seq);
      } else this.connections -= message.count;
    });
    // the channel fails only as the helper goes: 'exit' below settles everything
    child.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        onExit(this);
        this.connections = 0;
        for (const done of this.pending.values()) done();
        this.pending.clear();
        resolve();
      }),
    );
  }

  hand(message: ToHelper, socket: Socket): void {
    this.connections++;
    this.child.send(message, socket, { keepOpen: false }, (error) => {
      if (!error) return;
      socket.destroy();
      this.connections--;
    });
  }

  /** resolves once the helper has applied the change (or is gone) */
  change(change: Change): Promise<void> {
    if (!this.child.connected) return Promise.resolve();
    const seq = ++this.seq;
    return new Promise<void>((resolve) => {
      this.pending.set(seq, resolve);
      this.child.send({ ...change, seq } as ToHelper, (error) => {
        if (error && this.pending.delete(seq)) resolve();
      });
    });
  }
}

/**
 * Where a proxied connection lives. Each takes two sockets, so one process holds at most half its
 * open-file limit of them (here 20,000 files, and the limit cannot be raised). This process takes
 * connections until `localCapacity`; past it, each new client socket is handed (with its file
 * descriptor, over IPC) to a helper process that runs it the same way, forked when needed, so
 * one proxy holds more connections than one process could. Toxic changes and closes go to every
 * helper, and the API answers once they have applied them. The listener stays here: the proxy
 * is one address, disabled and enabled as one.
 */
export class DataPlane {
  private local = 0;
  private readonly helpers: Helper[] = [];
  private spawned = 0;
  private closed = false;
  private readonly localCapacity: number;
  private readonly helperCapacity: number;

  /** `localConnections`: how many this process holds itself (default: from its open-file limit) */
  constructor(localConnections?: number) {
    const limit = openFileLimit();
    this.helperCapacity = limit === undefined ? Number.MAX_SAFE_INTEGER : connectionCapacity(limit, 64);
    this.localCapacity = localConnections ?? (limit === undefined ? Number.MAX_SAFE_INTEGER : connectionCapacity(limit));
  }

  /** true: this process takes the connection itself, and calls `releaseLocal` when it finishes */
  takeLocal(): boolean {
    if (this.local >= this.localCapacity) return false;
    this.local++;
    return true;
  }

  releaseLocal(): void {
    this.local--;
  }

  /** hands an accepted, never-read client socket of proxy `proxy` to a helper with room */
  hand(proxy: number, socket: Socket, target: HostPort, toxics: readonly ToxicState[]): void {
    const helper = this.helperWithRoom();
    if (!helper) return void socket.destroy(); // as a process out of files: the client sees the connection close
    // a copy: a message queued behind another handle is serialised later, and a toxic added by
    // then must arrive once (as its own message), not also in this snapshot
    helper.hand({ type: 'connection', proxy, target, toxics: toxics.map((t) => ({ ...t, attributes: { ...t.attributes } })) }, socket);
  }

  /** applies a toxic change or a close in every helper; resolves when all have */
  async change(change: Change): Promise<void> {
    await Promise.all(this.helpers.map((h) => h.change(change)));
  }

  placement(): Placement {
    return { local: this.local, helpers: this.helpers.map((h) => ({ pid: h.child.pid!, connections: h.connections })) };
  }

  /** ends every helper (their connections with them) */
  async close(): Promise<void> {
    this.closed = true;
    const helpers = [...this.helpers];
    for (const helper of helpers) if (helper.child.connected) helper.child.disconnect();
    await Promise.all(helpers.map((h) => h.exited));
  }

  private helperWithRoom(): Helper | undefined {
    // a helper leaves this list as its process exits
    const roomy = this.helpers.find((h) => h.connections < this.helperCapacity);
    // a helper that cannot start must not be forked again for every connection
    if (roomy || this.closed || this.helpers.length >= MAX_HELPERS || this.spawned >= MAX_HELPERS * 2) return roomy;
    let entry: string;
    try {
      entry = distEntry('src/faults/data-plane-helper');
    } catch {
      return undefined;
    }
    this.spawned++;
    const helper = new Helper(fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] }), (gone) =>
      this.helpers.splice(this.helpers.indexOf(gone), 1),
    );
    this.helpers.push(helper);
    return helper;
  }
}
