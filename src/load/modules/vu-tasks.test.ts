import { describe, expect, it } from 'vitest';
import { IterationInterrupted, VuContext, type InstanceContext } from '../vu-context.js';
import { cancelTasks, dispatch, openTask, settleTasks } from './vu-tasks.js';

const vuOf = () => new VuContext(1, 1, { env: {}, globalTags: {} } as unknown as InstanceContext);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the VU event loop of the network modules', () => {
  it('settles at once for a VU that opened nothing, and waits for every task and running handler otherwise', async () => {
    const vu = vuOf();
    await settleTasks(vu);
    const a = openTask(vu, () => {});
    const b = openTask(vu, () => {});
    let settled = false;
    const settling = settleTasks(vu).then(() => (settled = true));
    a.done();
    await tick();
    expect(settled).toBe(false);
    let release!: () => void;
    dispatch(vu, () => new Promise<void>((resolve) => (release = resolve)));
    b.done();
    await tick();
    expect(settled).toBe(false); // a handler is still running
    release();
    await settling;
    expect(settled).toBe(true);
  });

  it('runs handlers in order, an async one to its end before the next', async () => {
    const vu = vuOf();
    const order: string[] = [];
    const task = openTask(vu, () => {});
    dispatch(vu, async () => {
      order.push('a start');
      await tick();
      order.push('a end');
    });
    dispatch(vu, () => order.push('b'));
    task.done();
    await settleTasks(vu);
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('a throwing handler fails the iteration, cancels the other tasks and stops later handlers', async () => {
    const vu = vuOf();
    const cancelled: string[] = [];
    const other = openTask(vu, () => {
      cancelled.push('other');
      other.done();
    });
    dispatch(vu, () => {
      throw new Error('handler broke');
    });
    let ranLater = false;
    dispatch(vu, () => (ranLater = true));
    await expect(settleTasks(vu)).rejects.toThrow('handler broke');
    expect(cancelled).toEqual(['other']);
    expect(ranLater).toBe(false);
    await settleTasks(vu); // the next iteration starts clean
  });

  it('an interrupted iteration cancels its tasks and ends as interrupted; a failed one drops what it left', async () => {
    const vu = vuOf();
    const controller = new AbortController();
    vu.signal = controller.signal;
    const task = openTask(vu, () => task.done());
    const settling = settleTasks(vu);
    controller.abort();
    await expect(settling).rejects.toBeInstanceOf(IterationInterrupted);

    const left = openTask(vu, () => left.done());
    vu.signal = new AbortController().signal;
    await cancelTasks(vu);
    await settleTasks(vu);
  });
});
