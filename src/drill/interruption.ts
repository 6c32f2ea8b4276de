import { onInterrupt } from '../lifecycle/shutdown.js';
import type { RunDirectory } from '../run/run-dir.js';
import { activePhases } from '../run/timeline.js';

/** What the drill is doing, as an `interrupted` event names it. */
export type DrillStep = 'starting the stack' | 'load' | 'reading the evidence' | 'stopping the stack';

/**
 * A drill's interruption. From the moment its run directory exists until its reports are written,
 * the drill takes SIGINT, SIGTERM and SIGHUP itself (`onInterrupt`), and a step that throws is one
 * too: either is recorded once on the timeline (`interrupted`: when, the step, the load's phases
 * under way) and aborts what is running and every step after it. The drill then stops the rig and
 * still judges and reports, on what was measured before the interruption only (src/run/run-data.ts).
 * A signal once the evidence is read interrupts nothing: stopping is what is left anyway.
 */
export class DrillInterruption {
  private readonly controller = new AbortController();
  private readonly release: () => void;
  private step: DrillStep = 'starting the stack';
  private loadStartedAt: number | undefined;
  private recorded = false;

  constructor(
    private readonly run: RunDirectory,
    private readonly log: (line: string) => void,
  ) {
    this.release = onInterrupt((signal) => this.interrupt(signal));
  }

  /** Aborted at the interruption: every step is given it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.recorded;
  }

  enter(step: DrillStep): void {
    this.step = step;
    if (step === 'load') this.loadStartedAt = Date.now();
  }

  /** A step threw: the run is cut there, as by a signal, with the error as its detail. */
  failed(error: unknown): void {
    this.interrupt('error', error instanceof Error ? error.message.split('\n')[0] : String(error));
  }

  /** After the reports: signals end the process the ordinary way again. */
  done(): void {
    this.release();
  }

  private interrupt(cause: string, detail?: string): void {
    if (this.recorded) return;
    if (this.step === 'stopping the stack') {
      if (cause !== 'error') this.log(`peakready: ${cause}: the drill is already stopping; its report follows`);
      return;
    }
    this.recorded = true;
    const t = Date.now();
    const phases = activePhases(this.run.timeline(), t);
    this.run.appendTimeline({
      t,
      type: 'interrupted',
      cause,
      step: this.step,
      ...(phases.length ? { phases } : {}),
      ...(this.loadStartedAt !== undefined ? { loadElapsedMs: t - this.loadStartedAt } : {}),
      ...(detail ? { detail } : {}),
    });
    if (cause !== 'error') this.log(`peakready: ${cause}: stopping the drill; the report judges what was measured until now`);
    this.controller.abort(new Error(`the drill was interrupted (${cause})`));
  }
}
