import { describe, expect, it } from 'vitest';
import { ExportQueue, type ExportQueueOptions } from './export-queue.js';

/** A queue on a hand-turned loop and clock: `turn()` runs the scheduled slice; each job takes `cost` ms of the clock. */
function harness(options: Partial<ExportQueueOptions> = {}) {
  let clock = 0;
  const slices: Array<() => void> = [];
  const log: string[] = [];
  const queue = new ExportQueue({
    onSliceEnd: () => log.push('flush'),
    schedule: (slice) => slices.push(slice),
    now: () => clock,
    sliceMs: 20,
    initialBytesPerMs: 1000,
    ...options,
  });
  const push = (name: string, bytes: number, cost: number) =>
    queue.push({
      bytes,
      run: () => {
        clock += cost;
        log.push(`decode ${name}`);
        return (error) => log.push(`answer ${name}${error ? ` (${(error as Error).message})` : ''}`);
      },
    });
  const turn = () => {
    const slice = slices.shift();
    if (!slice) throw new Error('nothing scheduled');
    slice();
  };
  return { queue, push, turn, log, slices };
}

describe('ExportQueue', () => {
  it('decodes a slice of jobs per turn, writes their spans, then answers them, and yields to the loop between slices', () => {
    const { push, turn, log, slices, queue } = harness();
    push('a', 8000, 8);
    push('b', 8000, 8);
    push('c', 8000, 8);
    push('d', 8000, 8);
    expect(slices).toHaveLength(1); // one slice scheduled, however many jobs
    expect(queue.length).toBe(4);
    turn();
    // a and b fit in 20 ms, c starts at 16 ms and is the last one: the slice ends at 24 ms
    expect(log).toEqual(['decode a', 'decode b', 'decode c', 'flush', 'answer a', 'answer b', 'answer c']);
    expect(queue.length).toBe(1);
    expect(slices).toHaveLength(1);
    turn();
    expect(log.slice(7)).toEqual(['decode d', 'flush', 'answer d']);
    expect(slices).toHaveLength(0);
  });

  it('estimates the wait ahead of a new export from the queued bytes and the rate it measured', () => {
    const { push, turn, queue } = harness({ initialBytesPerMs: 1000 });
    expect(queue.delayMs()).toBe(0);
    push('a', 98_000, 10);
    // 98,000 bytes + 2,048 per export at the assumed 1,000 bytes/ms
    expect(queue.delayMs()).toBeCloseTo(100.048, 3);
    expect(queue.queuedBytes).toBe(98_000);
    turn();
    expect(queue.delayMs()).toBe(0);
    // measured: 100,048 bytes in 10 ms, blended with the assumed 10 ms at 1,000 bytes/ms
    expect(queue.bytesPerMs).toBeCloseTo((1000 * 10 * 0.9 + 100_048) / (10 * 0.9 + 10), 6);
    for (let i = 0; i < 30; i++) {
      push('x', 98_000, 10);
      turn();
    }
    expect(queue.bytesPerMs).toBeGreaterThan(9_000);
    push('y', 98_000, 10);
    push('z', 98_000, 10);
    expect(queue.delayMs()).toBeGreaterThan(19);
    expect(queue.delayMs()).toBeLessThan(23);
  });

  it('answers every export of a slice with the error when its spans could not be written', () => {
    const { push, turn, log } = harness({
      onSliceEnd: () => {
        throw new Error('ENOSPC');
      },
    });
    push('a', 10, 1);
    push('b', 10, 1);
    turn();
    expect(log).toEqual(['decode a', 'decode b', 'answer a (ENOSPC)', 'answer b (ENOSPC)']);
  });
});
