import { everyUnref, type Every } from './ticker.js';

/**
 * How far behind the event loop runs, read from a periodic timer's drift: a tick meant every
 * `periodMs` that comes later by seconds says the loop is busy with other work, and a receiver in
 * that state cannot keep up (taking more would only grow memory and every exporter's latency).
 * The worst drift of the last `windowTicks` ticks is kept, so one quick tick does not hide it.
 */
export class EventLoopLag {
  private readonly drifts: number[] = [];
  private lastTick: number;
  private worst = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    readonly periodMs = 50,
    readonly windowTicks = 10,
  ) {
    this.lastTick = now();
  }

  /** One tick of the period timer. */
  tick(): void {
    const now = this.now();
    this.drifts.push(Math.max(0, now - this.lastTick - this.periodMs));
    if (this.drifts.length > this.windowTicks) this.drifts.shift();
    this.worst = Math.max(...this.drifts);
    this.lastTick = now;
  }

  /** ms, the worst drift of the window */
  get lagMs(): number {
    return this.worst;
  }

  /** Ticks on `every` until the returned function is called. */
  watch(every: Every = everyUnref): () => void {
    return every(this.periodMs, () => this.tick());
  }
}
