import type { RunDirectory } from '../../run/run-dir.js';
import type { FaultClient, ServerToxic } from './client.js';
import { forgetChange, OWNED_PREFIX, recordChange, type FaultChange, type LedgerEntry } from './ledger.js';
import { describeChange, restoreChange, type RestoreOutcome } from './restore.js';
import type { ChaosAction } from './schema.js';

type Revert = () => Promise<void>;

export interface RollbackReport {
  toxicsRemoved: string[];
  proxiesEnabled: string[];
  /** other states put back as they were found: a user's toxic, a proxy found disabled */
  restored: string[];
  errors: string[];
}

/** A change in effect, in the ledger; `undoing` once its undo has started (a timed revert and the rollback may meet). */
interface Held {
  entry: LedgerEntry;
  /** for `proxy-enabled`: the proxy was down because of this session (its fault resumes on undo) */
  resumesOwnFault: boolean;
  undoing?: Promise<RestoreOutcome>;
}

/**
 * The faults one experiment run has switched on, and how to switch each off. Every change is
 * written to the ledger with the state it found, before the call (ledger.ts), and undone by
 * restoring exactly that state (restore.ts): a proxy already disabled is left alone, one the
 * experiment enabled is disabled again, a user's toxic gets its own attributes back. Toxics it
 * adds are named `peakready-...`. Each fault switched writes a `fault` event (on/off) to the
 * run's timeline.
 */
export class FaultSession {
  private readonly held: Held[] = [];
  private readonly ownToxics = new Set<string>();
  private readonly ownDisabled = new Set<string>();
  /** bumped when a fault change starts and when it ends; `changing`: changes in flight */
  private version = 0;
  private changing = 0;
  private rolling: Promise<RollbackReport> = Promise.resolve(emptyReport());

  constructor(
    private readonly client: FaultClient,
    private readonly experiment: string,
    private readonly runDir: RunDirectory | undefined,
    private readonly log: (line: string) => void,
    /**
     * The seeded defect `leave-toxic` (src/stack/defects.ts): a toxic is added under its bare name,
     * outside the `peakready-` prefix, and its undo is dropped, so neither the rollback nor the
     * drill's end-of-run sweep of owned toxics removes it. Never on unless a drill is told to.
     */
    private readonly leaveToxic = false,
  ) {}

  get activeCount(): number {
    return this.ownToxics.size + this.ownDisabled.size;
  }

  /**
   * A stamp of the faults in place: undefined while a change is in flight, and a new value after
   * every change. Two equal stamps mean nothing was switched on, off or changed in between.
   */
  stamp(): number | undefined {
    return this.changing === 0 ? this.version : undefined;
  }

  private async change<T>(call: () => Promise<T>): Promise<T> {
    this.version++;
    this.changing++;
    try {
      return await call();
    } finally {
      this.changing--;
      this.version++;
    }
  }

  /** Applies one action of the method; returns how to undo it (for actions with a duration). */
  async apply(action: ChaosAction): Promise<Revert> {
    const held = await this.make(action, true);
    return held ? () => this.undo(held).then(() => undefined) : async () => undefined;
  }

  /** An action of the experiment's `rollbacks`: done as written and not undone (it is the clean-up). */
  async applyFinal(action: ChaosAction): Promise<void> {
    await this.make(action, false);
  }

  /** Undoes every change still in effect, newest first. Safe to call concurrently (shutdown hook + normal end): calls queue. */
  rollbackAll(): Promise<RollbackReport> {
    this.rolling = this.rolling.then(async () => {
      const report = emptyReport();
      for (const held of [...this.held].reverse()) {
        const { change } = held.entry;
        await this.undo(held).then(
          (outcome) => {
            if (outcome !== 'restored') return;
            if (change.kind === 'toxic-added') report.toxicsRemoved.push(`${change.proxy}/${change.toxic.name}`);
            else if (change.kind === 'proxy-disabled') report.proxiesEnabled.push(change.proxy);
            else report.restored.push(describeChange(change));
          },
          (error: unknown) => report.errors.push(`${describeChange(change)}: ${message(error)}`),
        );
      }
      return report;
    });
    return this.rolling;
  }

  /** Makes the change an action asks for, after reading the state it will change; `record`: ledger it for undo. */
  private async make(action: ChaosAction, record: boolean): Promise<Held | undefined> {
    const { proxy } = action;
    switch (action.action) {
      case 'add-toxic': {
        const t = action.toxic;
        const bare = t.name ?? `${t.type}_${t.stream}`;
        const toxic: ServerToxic = { name: this.leaveToxic ? bare : owned(bare), type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes };
        const held = this.leaveToxic ? undefined : this.hold({ kind: 'toxic-added', proxy, toxic }, record);
        await this.change(() => this.client.addToxic(proxy, toxic));
        this.switched({ kind: 'toxic-added', proxy, toxic });
        return held;
      }
      case 'update-toxic': {
        const before = await this.findToxic(proxy, action.toxic.name);
        const after = { ...before, toxicity: action.toxic.toxicity ?? before.toxicity, attributes: { ...before.attributes, ...action.toxic.attributes } };
        const held = this.hold({ kind: 'toxic-updated', proxy, before }, record);
        await this.change(() => this.client.updateToxic(proxy, before.name, after));
        this.event('on', proxy, after);
        return held;
      }
      case 'remove-toxic': {
        const before = await this.findToxic(proxy, action.toxic.name);
        const held = this.hold({ kind: 'toxic-removed', proxy, before }, record);
        await this.change(() => this.client.removeToxic(proxy, before.name));
        this.switched({ kind: 'toxic-removed', proxy, before });
        return held;
      }
      case 'disable-proxy': {
        if (!(await this.client.requireProxy(proxy)).enabled) {
          // down already: by an earlier action of this experiment (whose undo brings it back), or by someone else
          if (!this.ownDisabled.has(proxy)) this.note(`proxy "${proxy}" was already disabled (not by this experiment): left as it was found, and not enabled at the end`);
          return undefined;
        }
        const held = this.hold({ kind: 'proxy-disabled', proxy }, record);
        await this.change(() => this.client.setEnabled(proxy, false));
        this.switched({ kind: 'proxy-disabled', proxy });
        return held;
      }
      case 'enable-proxy': {
        if ((await this.client.requireProxy(proxy)).enabled) return undefined;
        const ours = this.ownDisabled.has(proxy);
        const held = this.hold({ kind: 'proxy-enabled', proxy }, record, ours);
        await this.change(() => this.client.setEnabled(proxy, true));
        if (ours) this.switched({ kind: 'proxy-disabled', proxy }, 'undone');
        else if (record) this.note(`proxy "${proxy}" was disabled (not by this experiment): enabled now, disabled again at the end`);
        return held;
      }
    }
  }

  /** Ledger first: if we are killed right after the call, the next command still knows what it found. */
  private hold(change: FaultChange, record: boolean, resumesOwnFault = false): Held | undefined {
    if (!record) return undefined;
    const held: Held = { entry: recordChange(this.client.url, this.experiment, change), resumesOwnFault };
    this.held.push(held);
    return held;
  }

  /** Restores the state a change found, once however many ask; the change leaves the ledger when done. */
  private undo(held: Held): Promise<RestoreOutcome> {
    held.undoing ??= (async () => {
      const { change } = held.entry;
      try {
        const outcome = await this.change(() => restoreChange(this.client, change));
        forgetChange(held.entry.id);
        if (change.kind === 'proxy-enabled') {
          if (held.resumesOwnFault) this.switched({ kind: 'proxy-disabled', proxy: change.proxy });
        } else {
          this.switched(change, 'undone');
        }
        return outcome;
      } finally {
        const i = this.held.indexOf(held);
        if (i >= 0) this.held.splice(i, 1);
      }
    })();
    return held.undoing;
  }

  /** Keeps the session's own faults and the timeline in step with a change made (or undone). */
  private switched(change: FaultChange, how: 'made' | 'undone' = 'made'): void {
    const { proxy } = change;
    if (change.kind === 'proxy-disabled' || change.kind === 'proxy-enabled') {
      const down = (change.kind === 'proxy-disabled') === (how === 'made');
      if (down) this.ownDisabled.add(proxy);
      else this.ownDisabled.delete(proxy);
      this.event(down ? 'on' : 'off', proxy);
      return;
    }
    const toxic = change.kind === 'toxic-added' ? change.toxic : change.before;
    if (change.kind === 'toxic-updated') return this.event('on', proxy, toxic);
    const present = (change.kind === 'toxic-added') === (how === 'made');
    const key = `${proxy}/${toxic.name}`;
    if (present && toxic.name.startsWith(OWNED_PREFIX)) this.ownToxics.add(key);
    else this.ownToxics.delete(key);
    this.event(present ? 'on' : 'off', proxy, toxic);
  }

  /** A toxic by the name the experiment knows it by: ours (`peakready-<name>`) first, else as written. */
  private async findToxic(proxy: string, name: string): Promise<ServerToxic> {
    const toxics = (await this.client.requireProxy(proxy)).toxics;
    const found = toxics.find((t) => t.name === owned(name)) ?? toxics.find((t) => t.name === name);
    if (!found) throw new Error(`proxy "${proxy}" has no toxic "${name}" (toxics there: ${toxics.map((t) => t.name).join(', ') || 'none'})`);
    return found;
  }

  private note(text: string): void {
    this.log(`peakready: ${text}`);
    this.runDir?.appendTimeline({ t: Date.now(), type: 'note', level: 'warn', message: `${this.experiment}: ${text}` });
  }

  private event(state: 'on' | 'off', proxy: string, toxic?: ServerToxic): void {
    this.log(`peakready: fault ${state}: ${proxy} ${toxic ? `${toxic.type} ${toxic.stream} ${JSON.stringify(toxic.attributes)}` : 'disabled'}`);
    this.runDir?.appendTimeline({
      t: Date.now(),
      type: 'fault',
      state,
      experiment: this.experiment,
      proxy,
      kind: toxic ? 'toxic' : 'disable',
      ...(toxic ? { toxic: { name: toxic.name, type: toxic.type, stream: toxic.stream, toxicity: toxic.toxicity, attributes: toxic.attributes } } : {}),
    });
  }
}

function emptyReport(): RollbackReport {
  return { toxicsRemoved: [], proxiesEnabled: [], restored: [], errors: [] };
}

function owned(name: string): string {
  return name.startsWith(OWNED_PREFIX) ? name : OWNED_PREFIX + name;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
