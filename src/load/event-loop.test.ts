import { describe, expect, it } from 'vitest';
import { VuEventLoop } from './event-loop.js';

describe("a VU's event loop", () => {
  it('drains only after every timer has fired, the ones a callback starts included', async () => {
    const loop = new VuEventLoop();
    const fired: string[] = [];
    loop.setTimeout(() => {
      fired.push('a');
      loop.setTimeout((x: string) => fired.push(x), 1, 'b');
    }, 1);
    expect(loop.busy).toBe(true);
    await loop.drain();
    expect(fired).toEqual(['a', 'b']);
    expect(loop.busy).toBe(false);
  });

  it('waits for an interval until it is cleared, and never runs a cleared timeout', async () => {
    const loop = new VuEventLoop();
    let ticks = 0;
    const never = loop.setTimeout(() => (ticks = -100), 5);
    loop.clearTimeout(never);
    const id = loop.setInterval(() => {
      if (++ticks === 3) loop.clearInterval(id);
    }, 1);
    await loop.drain();
    expect(ticks).toBe(3);
  });

  it('waits for a tracked promise and the reactions chained on it', async () => {
    const loop = new VuEventLoop();
    let resolve!: (v: number) => void;
    const seen: number[] = [];
    void loop.track(new Promise<number>((r) => (resolve = r))).then((v) => loop.setTimeout(() => seen.push(v), 1));
    loop.setTimeout(() => resolve(7), 1);
    await loop.drain();
    expect(seen).toEqual([7]);
  });

  it('ends with the error a callback threw and cancels what is left', async () => {
    const loop = new VuEventLoop();
    let late = false;
    loop.setTimeout(() => {
      throw new Error('in a timer');
    }, 1);
    loop.setTimeout(() => (late = true), 50);
    await expect(loop.drain()).rejects.toThrow('in a timer');
    expect(loop.busy).toBe(false);
    expect(late).toBe(false);
  });

  it('cancel() drops every timer: an interrupted iteration leaves nothing for the next', () => {
    const loop = new VuEventLoop();
    loop.setInterval(() => {}, 1);
    void loop.track(new Promise(() => {}));
    loop.cancel();
    expect(loop.busy).toBe(false);
  });

  it('refuses a callback that is not a function, as k6 does', () => {
    expect(() => new VuEventLoop().setTimeout('code', 1)).toThrow(TypeError);
  });
});
