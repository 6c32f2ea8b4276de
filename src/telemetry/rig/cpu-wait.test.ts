import { describe, expect, it } from 'vitest';
import { CpuWaitMeter, parseSchedstat } from './cpu-wait.js';

/** A fake /proc: thread schedstat lines by path, changed between readings. */
function fakeProc(waits: Record<string, number>) {
  return {
    readFile: (path: string) => {
      const m = /^\/proc\/(\d+)\/task\/(\d+)\/schedstat$/.exec(path);
      const wait = m ? waits[`${m[1]}/${m[2]}`] : undefined;
      return wait === undefined ? undefined : `${wait * 2e6} ${wait * 1e6} 42\n`;
    },
    listDir: (path: string) => {
      const m = /^\/proc\/(\d+)\/task$/.exec(path);
      return m ? Object.keys(waits).filter((k) => k.startsWith(`${m[1]}/`)).map((k) => k.split('/')[1]!) : undefined;
    },
  };
}

describe('run-queue waits', () => {
  it('parses a schedstat line: time on a CPU, time waiting, timeslices', () => {
    expect(parseSchedstat('1056381 2500000 7\n')).toEqual({ runNs: 1056381, waitNs: 2500000 });
    expect(parseSchedstat('')).toBeUndefined();
    expect(parseSchedstat('x y')).toBeUndefined();
  });

  it("gives each service its replicas' mean wait share (main thread only), the drill's main thread and its busiest VU thread", () => {
    const waits: Record<string, number> = { '10/10': 0, '10/11': 0, '20/20': 0, '30/30': 0, '30/31': 0, '30/32': 0 };
    const proc = fakeProc(waits);
    const meter = new CpuWaitMeter({
      processes: () => [
        { service: 'checkout', pid: 10 },
        { service: 'checkout', pid: 20 },
      ],
      self: { pid: 30, main: 'peakready', workers: 'load generator' },
      ...proc,
    });
    expect(meter.sample(1000)).toBeUndefined(); // first reading: no interval yet
    Object.assign(waits, { '10/10': 600, '10/11': 1000, '20/20': 200, '30/30': 50, '30/31': 700, '30/32': 100 });
    // checkout: (0.6 + 0.2) / 2, its worker threads ignored; the drill: its main thread, and its busiest other thread
    // (the fake threads run twice as long as they wait; a share never exceeds the interval: (1 + 0.4) / 2)
    expect(meter.sample(1000)).toEqual({ wait: { checkout: 0.4, peakready: 0.05, 'load generator': 0.7 }, run: { checkout: 0.7, peakready: 0.1, 'load generator': 1 } });
  });

  it('counts a new replica from its second reading and forgets one that is gone', () => {
    const waits: Record<string, number> = { '10/10': 0 };
    let pids = [10];
    const meter = new CpuWaitMeter({ processes: () => pids.map((pid) => ({ service: 'cart', pid })), ...fakeProc(waits) });
    meter.sample(1000);
    waits['10/10'] = 500;
    waits['11/11'] = 9000; // a replica started with a long history: not this interval's wait
    pids = [10, 11];
    expect(meter.sample(1000)?.wait).toEqual({ cart: 0.5 });
    waits['10/10'] = 500;
    waits['11/11'] = 9100;
    expect(meter.sample(1000)?.wait).toEqual({ cart: 0.05 });
    pids = [11];
    delete waits['10/10'];
    waits['11/11'] = 9200;
    expect(meter.sample(1000)?.wait).toEqual({ cart: 0.1 });
  });
});
