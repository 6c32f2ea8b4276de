import type { StageOutput } from './types.js';

type Item = { at: number; chunk: Buffer | null };

/**
 * An ordered queue of chunks (and the end of stream, as `null`) each released at its own time,
 * never before the one ahead of it: what latency, bandwidth and slicer share. One timer for the
 * head of the queue at a time, so a thousand held chunks cost a thousand array slots, not timers.
 */
export class TimedQueue {
  private readonly items: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;

  constructor(private readonly out: StageOutput) {}

  get idle(): boolean {
    return this.head >= this.items.length;
  }

  /** time the last queued item leaves (or now when empty) */
  lastAt(now: number): number {
    return this.idle ? now : Math.max(now, this.items[this.items.length - 1]!.at);
  }

  push(at: number, chunk: Buffer | null): void {
    const last = this.idle ? 0 : this.items[this.items.length - 1]!.at;
    this.items.push({ at: Math.max(at, last), chunk });
    this.schedule();
  }

  /** hand everything over now, in order (the toxic was removed) */
  flush(): void {
    this.cancel();
    while (!this.idle) this.emit(this.items[this.head++]!);
    this.compact();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.cancel();
    this.items.length = 0;
    this.head = 0;
  }

  private schedule(): void {
    if (this.idle) return;
    const at = this.items[this.head]!.at;
    if (this.timer && this.timerAt === at) return;
    this.cancel();
    this.timerAt = at;
    // whole milliseconds: timers of equal duration share one list in Node (fractions make one list each)
    this.timer = setTimeout(() => this.release(), Math.max(0, Math.round(at - performance.now())));
  }

  private release(): void {
    this.timer = undefined;
    const now = performance.now();
    // Timers fire up to ~1 ms late; release everything that is due so late timers do not accumulate.
    while (!this.idle && this.items[this.head]!.at <= now + 0.5) this.emit(this.items[this.head++]!);
    this.compact();
    this.schedule();
  }

  private emit(item: Item): void {
    if (item.chunk === null) this.out.end();
    else this.out.data(item.chunk);
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    } else if (this.idle) {
      this.items.length = 0;
      this.head = 0;
    }
  }
}
