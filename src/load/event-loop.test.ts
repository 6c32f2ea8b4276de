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

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("a VU's event loop: the tasks the network modules open (sockets, streams, asyncInvoke)", () => {
  it('drains at once when nothing was started, and waits for every task and running handler otherwise', async () => {
    const loop = new VuEventLoop();
    await loop.drain();
    const a = loop.open(() => {});
    const b = loop.open(() => {});
    let drained = false;
    const draining = loop.drain().then(() => (drained = true));
    a.done();
    await tick();
    expect(drained).toBe(false);
    let release!: () => void;
    b.dispatch(() => new Promise<void>((resolve) => (release = resolve)));
    b.done();
    await tick();
    expect(drained).toBe(false); // a handler is still running
    release();
    await draining;
    expect(drained).toBe(true);
  });

  it('runs handlers and timer callbacks in order, an async one to its end before the next', async () => {
    const loop = new VuEventLoop();
    const order: string[] = [];
    const task = loop.open(() => {});
    task.dispatch(async () => {
      order.push('a start');
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push('a end');
    });
    task.dispatch(() => order.push('b'));
    loop.setTimeout(() => order.push('timer'), 1); // fires while a runs: queued behind b
    task.done();
    await loop.drain();
    expect(order).toEqual(['a start', 'a end', 'b', 'timer']);
  });

  it('waits for a timer a handler started: the handler keeps the iteration alive past its task', async () => {
    const loop = new VuEventLoop();
    const seen: string[] = [];
    const socket = loop.open(() => {});
    socket.dispatch(() => loop.setTimeout(() => seen.push('late timer'), 20));
    socket.done();
    await loop.drain();
    expect(seen).toEqual(['late timer']);
  });

  it('a throwing handler fails the loop, cancels the other tasks at once and stops later callbacks', async () => {
    const loop = new VuEventLoop();
    const cancelled: string[] = [];
    const other = loop.open(() => {
      cancelled.push('other');
      other.done();
    });
    const failing = loop.open(() => cancelled.push('failing'));
    failing.dispatch(() => {
      throw new Error('handler broke');
    });
    expect(cancelled).toEqual(['other', 'failing']);
    let ranLater = false;
    other.dispatch(() => (ranLater = true));
    loop.setTimeout(() => (ranLater = true), 1);
    await expect(loop.drain()).rejects.toThrow('handler broke');
    expect(ranLater).toBe(false);
    expect(loop.busy).toBe(false);
    await loop.drain(); // the next iteration starts clean
  });

  it('a task failing by itself (task.fail) fails the loop with its error', async () => {
    const loop = new VuEventLoop();
    const stream = loop.open(() => {});
    stream.fail(new Error('bad message'));
    await expect(loop.drain()).rejects.toThrow('bad message');
  });

  it('cancel() cancels every task once; what they report afterwards belongs to no iteration', async () => {
    const loop = new VuEventLoop();
    let cancels = 0;
    const task = loop.open(() => cancels++);
    loop.cancel();
    loop.cancel();
    expect(cancels).toBe(1);
    let ran = false;
    task.dispatch(() => (ran = true)); // a stream's `end` after its cancellation
    task.fail(new Error('late'));
    task.done();
    expect(ran).toBe(false);
    expect(loop.busy).toBe(false);
    await loop.drain();
  });

  it('a handler of the cancelled iteration that fails later does not fail the next one', async () => {
    const loop = new VuEventLoop();
    const task = loop.open(() => {});
    let reject!: (error: Error) => void;
    task.dispatch(() => new Promise<void>((_, r) => (reject = r)));
    loop.cancel();
    loop.setTimeout(() => {}, 5);
    reject(new Error('from the old iteration'));
    await loop.drain();
  });

  it('a drain left behind by a cancelled iteration ends, and never takes the next iteration\'s wake-ups or failure', async () => {
    const loop = new VuEventLoop();
    loop.setTimeout(() => {}, 60_000);
    const stale = loop.drain();
    loop.cancel(); // the iteration was interrupted: its caller stopped waiting for `stale`
    const order: string[] = [];
    loop.setTimeout(() => {
      order.push('next iteration');
      throw new Error('next iteration broke');
    }, 5);
    await stale;
    await expect(loop.drain()).rejects.toThrow('next iteration broke');
    expect(order).toEqual(['next iteration']);
  });
});
