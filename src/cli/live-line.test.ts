import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { canDrawInPlace, liveLine } from './live-line.js';

/** A stream that says it is a terminal of `columns` columns, and what was written to it. */
function terminal(columns: number): { stream: NodeJS.WriteStream; written: () => string } {
  const pass = new PassThrough();
  let out = '';
  pass.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const stream = Object.assign(pass, {
    isTTY: true,
    columns,
    cursorTo: (x: number) => pass.write(`\x1b[${x + 1}G`),
    moveCursor: () => true,
    clearLine: () => pass.write('\x1b[0K'),
  }) as unknown as NodeJS.WriteStream;
  return { stream, written: () => out };
}

describe('the live line of the drill and of chaos run', () => {
  it('draws in place only on a terminal that knows its width and is not a CI log', () => {
    expect(canDrawInPlace({ isTTY: true, columns: 120 }, {})).toBe(true);
    // a pseudo-terminal with no size (script(1), some CI runners): a spinner there floods the log
    expect(canDrawInPlace({ isTTY: true, columns: 0 }, {})).toBe(false);
    expect(canDrawInPlace({ isTTY: true, columns: 120 }, { CI: 'true' })).toBe(false);
    expect(canDrawInPlace({ isTTY: false, columns: 120 }, {})).toBe(false);
  });

  it('elsewhere prints a plain line at most every plainEveryMs, log lines always, and no step (the log tells it)', () => {
    vi.useFakeTimers();
    try {
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const live = liveLine({ stream: out as unknown as NodeJS.WriteStream, plainEveryMs: 5000, plainPrefix: 'peakready: ', env: {} });
      expect(live.interactive).toBe(false);
      expect(live.width()).toBe(Number.POSITIVE_INFINITY);
      live.step('starting the reference stack');
      live.show('surge 01:00 left');
      live.show('surge 00:59 left');
      vi.advanceTimersByTime(5000);
      live.show('surge 00:55 left');
      live.log('peakready: injecting "recommendations down"', out);
      live.stop();
      expect(text).toBe('peakready: surge 01:00 left\npeakready: surge 00:55 left\npeakready: injecting "recommendations down"\n');
    } finally {
      vi.useRealTimers();
    }
  });

  it('on a terminal rewrites one line fitted to the width, keeps log lines above it, and clears it when stopped', () => {
    const { stream, written } = terminal(40);
    const live = liveLine({ stream, plainEveryMs: 5000, initialText: 'preparing the drill', env: {} });
    expect(live.interactive).toBe(true);
    expect(live.width()).toBe(37);
    live.step('starting the reference stack');
    live.log('peakready: stack ready', stream);
    live.show('surge 01:48 left | err 0.2% | faults recommendations:down | replicas catalog 3');
    live.log('a line that stays', stream);
    live.stop();
    live.stop();
    const out = written();
    expect(out).toContain('preparing the drill');
    expect(out).toContain('starting the reference stack');
    expect(out).toContain('a line that stays\n');
    // the status was cut to the width, not wrapped
    expect(out).toContain('surge 01:48 left | err 0.2% | faults…');
    expect(out).not.toContain('recommendations:down');
    // cleared on stop: the last thing written erases the line
    expect(out.endsWith('\x1b[0K') || out.endsWith('\x1b[1G')).toBe(true);
  });

  it('--quiet asks for plain lines on a terminal too', () => {
    const { stream } = terminal(120);
    expect(liveLine({ stream, inPlace: false, plainEveryMs: 5000, env: {} }).interactive).toBe(false);
  });
});
