import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuWaitMeter } from './cpu-wait.js';

describe("run-queue waits, read from this machine's /proc", () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));

  it('measures the wait of processes that want more cores than there are', async () => {
    // one busy loop more than there are cores, each ending by itself after 3 s
    const count = availableParallelism() + 1;
    for (let i = 0; i < count; i++) children.push(spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);'], { stdio: 'ignore' }));
    const meter = new CpuWaitMeter({ processes: () => children.map((c) => ({ service: 'busy', pid: c.pid! })) });
    meter.sample(1);
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const shares = meter.sample(Date.now() - started);
    // count loops on count - 1 cores: together they wait at least one core-second a second, 1/count of it each on average
    expect(shares?.wait.busy).toBeGreaterThan(0.5 / count);
    // and ran for some of it
    expect(shares?.run.busy).toBeGreaterThan(0);
  });
});
