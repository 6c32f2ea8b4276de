import type { RunDirectory } from '../../run/run-dir.js';
import type { FaultClient, ServerToxic } from './client.js';
import { forgetDisabled, OWNED_PREFIX, recordDisabled } from './ledger.js';
import type { ChaosAction } from './schema.js';

type Revert = () => Promise<void>;

export interface RollbackReport {
  toxicsRemoved: string[];
  proxiesEnabled: string[];
  errors: string[];
}

/**
 * The faults one experiment run has switched on, and how to switch each off. Every toxic it adds
 * is named `peakready-...`; every proxy it disables goes into the ledger before the call. Each
 * change writes a `fault` event (on/off) to the run's timeline.
 */
export class FaultSession {
  private readonly toxics = new Map<string, { proxy: string; name: string }>();
  private readonly disabled = new Set<string>();
  /** bumped when a fault change starts and when it ends; `changing`: changes in flight */
  private version = 0;
  private changing = 0;
  private rolling: Promise<RollbackReport> = Promise.resolve({ toxicsRemoved: [], proxiesEnabled: [], errors: [] });

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
    return this.toxics.size + this.disabled.size;
  }

  /**
   * A stamp of the faults in place: undefined while a change is in flight, and a new value after
   * every change. Two equal stamps mean nothing was switched on, off or changed in between.
   */
  stamp(): number | undefined {
    return this.changing === 0 ? this.version : undefined;
  }

  private async change(call: () => Promise<unknown>): Promise<void> {
    this.version++;
    this.changing++;
    try {
      await call();
    } finally {
      this.changing--;
      this.version++;
    }
  }

  /** Applies one action; returns how to undo it (for actions with a duration). */
  async apply(action: ChaosAction): Promise<Revert> {
    const { proxy } = action;
    switch (action.action) {
      case 'add-toxic': {
        const t = action.toxic;
        const bare = t.name ?? `${t.type}_${t.stream}`;
        const toxic: ServerToxic = { name: this.leaveToxic ? bare : owned(bare), type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes };
        await this.addToxic(proxy, toxic);
        return this.leaveToxic ? async () => undefined : () => this.removeToxic(proxy, toxic.name);
      }
      case 'update-toxic': {
        const before = await this.findToxic(proxy, action.toxic.name);
        const after = { ...before, toxicity: action.toxic.toxicity ?? before.toxicity, attributes: { ...before.attributes, ...action.toxic.attributes } };
        await this.change(() => this.client.updateToxic(proxy, before.name, after));
        this.event('on', proxy, after);
        return async () => {
          await this.change(() => this.client.updateToxic(proxy, before.name, before));
          this.event('on', proxy, before);
        };
      }
      case 'remove-toxic': {
        const before = await this.findToxic(proxy, action.toxic.name);
        await this.removeToxic(proxy, before.name);
        return () => this.addToxic(proxy, before);
      }
      case 'disable-proxy':
        await this.disable(proxy);
        return () => this.enable(proxy);
      case 'enable-proxy': {
        const wasOurs = this.disabled.has(proxy);
        await this.enable(proxy);
        return async () => {
          if (wasOurs) await this.disable(proxy);
        };
      }
    }
  }

  /** Undoes everything still on. Safe to call concurrently (shutdown hook + normal end): calls queue. */
  rollbackAll(): Promise<RollbackReport> {
    this.rolling = this.rolling.then(async () => {
      const report: RollbackReport = { toxicsRemoved: [], proxiesEnabled: [], errors: [] };
      for (const { proxy, name } of [...this.toxics.values()]) {
        await this.removeToxic(proxy, name).then(
          () => report.toxicsRemoved.push(`${proxy}/${name}`),
          (error: unknown) => report.errors.push(`remove ${proxy}/${name}: ${message(error)}`),
        );
      }
      for (const proxy of [...this.disabled]) {
        await this.enable(proxy).then(
          () => report.proxiesEnabled.push(proxy),
          (error: unknown) => report.errors.push(`enable ${proxy}: ${message(error)}`),
        );
      }
      return report;
    });
    return this.rolling;
  }

  private async addToxic(proxy: string, toxic: ServerToxic): Promise<void> {
    await this.change(() => this.client.addToxic(proxy, toxic));
    if (toxic.name.startsWith(OWNED_PREFIX)) this.toxics.set(`${proxy}/${toxic.name}`, { proxy, name: toxic.name });
    this.event('on', proxy, toxic);
  }

  private async removeToxic(proxy: string, name: string): Promise<void> {
    const current = (await this.client.requireProxy(proxy)).toxics.find((t) => t.name === name);
    if (current) await this.change(() => this.client.removeToxic(proxy, name));
    this.toxics.delete(`${proxy}/${name}`);
    if (current) this.event('off', proxy, current);
  }

  private async disable(proxy: string): Promise<void> {
    // ledger first: if we are killed right after the call, the next command still knows
    recordDisabled({ toxiproxyUrl: this.client.url, proxy, experiment: this.experiment, pid: process.pid, t: Date.now() });
    this.disabled.add(proxy);
    await this.change(() => this.client.setEnabled(proxy, false));
    this.event('on', proxy);
  }

  private async enable(proxy: string): Promise<void> {
    await this.change(() => this.client.setEnabled(proxy, true));
    const wasOurs = this.disabled.delete(proxy);
    forgetDisabled(this.client.url, proxy);
    if (wasOurs) this.event('off', proxy);
  }

  /** A toxic by the name the experiment knows it by: ours (`peakready-<name>`) first, else as written. */
  private async findToxic(proxy: string, name: string): Promise<ServerToxic> {
    const toxics = (await this.client.requireProxy(proxy)).toxics;
    const found = toxics.find((t) => t.name === owned(name)) ?? toxics.find((t) => t.name === name);
    if (!found) throw new Error(`proxy "${proxy}" has no toxic "${name}" (toxics there: ${toxics.map((t) => t.name).join(', ') || 'none'})`);
    return found;
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

function owned(name: string): string {
  return name.startsWith(OWNED_PREFIX) ? name : OWNED_PREFIX + name;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
