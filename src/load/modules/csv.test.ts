import { describe, expect, it } from 'vitest';
import { VuEventLoop } from '../event-loop.js';
import { csvModule, parseCsv } from './csv.js';
import { K6File, SeekMode } from './fs.js';

const csv = csvModule.create({ loop: new VuEventLoop() } as never) as {
  parse(file: unknown, o?: object): Promise<readonly unknown[]>;
  Parser: new (file: unknown, o?: object) => { next(): Promise<{ done: boolean; value: unknown }> };
};
const file = (text: string) => new K6File('/data/users.csv', Buffer.from(text));

describe('k6/experimental/csv and fs', () => {
  it('parses RFC 4180 records: quotes, doubled quotes, delimiters and newlines inside fields, CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
    expect(parseCsv('a;b', ';')).toEqual([['a', 'b']]);
  });

  it('parse() honours asObjects, skipFirstLine, fromLine and toLine', async () => {
    const f = file('name,age\nJohn,30\nJane,25\nJim,40\n');
    expect(await csv.parse(f, { asObjects: true })).toEqual([
      { name: 'John', age: '30' },
      { name: 'Jane', age: '25' },
      { name: 'Jim', age: '40' },
    ]);
    expect(await csv.parse(f, { skipFirstLine: true, fromLine: 1, toLine: 1 })).toEqual([['Jane', '25']]);
    const all = await csv.parse(f);
    expect(all).toHaveLength(4);
    expect(Object.isFrozen(all)).toBe(true);
    await expect(csv.parse('not a file')).rejects.toThrow(/file opened with open\(\) from k6\/experimental\/fs/);
  });

  it('Parser.next() walks the records and then says done', async () => {
    const p = new csv.Parser(file('h\n1\n2\n'), { skipFirstLine: true });
    expect(await p.next()).toEqual({ done: false, value: ['1'] });
    expect(await p.next()).toEqual({ done: false, value: ['2'] });
    expect(await p.next()).toEqual({ done: true, value: undefined });
  });

  it('File reads, seeks and stats', async () => {
    const f = file('0123456789');
    const buf = new Uint8Array(4);
    expect(await f.read(buf)).toBe(4);
    expect(Buffer.from(buf).toString()).toBe('0123');
    expect(await f.seek(-2, SeekMode.End)).toBe(8);
    expect(await f.read(buf)).toBe(2);
    expect(await f.read(buf)).toBeNull();
    expect(await f.seek(1, SeekMode.Start)).toBe(1);
    expect(await f.seek(2, SeekMode.Current)).toBe(3);
    expect(await f.stat()).toEqual({ name: 'users.csv', size: 10 });
    await expect(f.seek(-1, SeekMode.Start)).rejects.toThrow(/before the start/);
  });
});
