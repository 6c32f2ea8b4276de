import { describe, expect, it } from 'vitest';
import { formatConsoleArgs, logLine, scriptConsole } from './console.js';

describe("the script's console, as k6 prints it", () => {
  it('prints objects as compact JSON with sorted keys, functions named and cycles marked', () => {
    const cyclic: Record<string, unknown> = { fn() {}, b: 1 };
    cyclic.self = cyclic;
    expect(formatConsoleArgs([{ b: 2, a: [1, 'x', undefined, () => 0], c: { z: null, y: true } }])).toBe('{"a":[1,"x",null,"[object Function]"],"b":2,"c":{"y":true,"z":null}}');
    expect(formatConsoleArgs([cyclic])).toBe('{"b":1,"fn":"[object Function]","self":"[Circular]"}');
    expect(formatConsoleArgs(['status', 200, 'body', { ok: true }, null, undefined])).toBe('status 200 body {"ok":true} null undefined');
    expect(formatConsoleArgs([new TypeError('bad')])).toBe('TypeError: bad');
    expect(formatConsoleArgs([{ toJSON: () => ({ status: 200 }) }])).toBe('{"status":200}');
  });

  it('a shared object that is not a cycle prints in full', () => {
    const shared = { n: 1 };
    expect(formatConsoleArgs([[shared, shared]])).toBe('[{"n":1},{"n":1}]');
  });

  it('writes k6 log lines: key=value off a terminal, LEVEL[seconds] on one', () => {
    const started = Date.UTC(2026, 11, 4, 17, 0, 0);
    expect(logLine('info', 'hello world', { tty: false, startedAt: started }, started + 3500)).toBe('time="2026-12-04T17:00:03Z" level=info msg="hello world" source=console');
    expect(logLine('warning', 'plain', { tty: false, startedAt: started }, started)).toBe('time="2026-12-04T17:00:00Z" level=warning msg=plain source=console');
    expect(logLine('error', 'boom', { tty: true, startedAt: started }, started + 3500)).toBe(`ERRO[0003] ${'boom'.padEnd(44)} source=console`);
  });

  it('prints console.debug only with --verbose, every level to the same writer', () => {
    const lines: string[] = [];
    const make = (verbose: boolean) => scriptConsole({ verbose, startedAt: 0, tty: false, write: (l) => void lines.push(l) });
    const quiet = make(false);
    quiet.debug('hidden');
    quiet.log('a');
    quiet.warn('b');
    quiet.error('c');
    make(true).debug('shown');
    expect(lines.map((l) => /level=(\w+) msg=(\S+)/.exec(l)!.slice(1).join(' '))).toEqual(['info a', 'warning b', 'error c', 'debug shown']);
  });
});
