import { K6File } from './fs.js';
import type { K6Module } from './k6-module.js';

/**
 * `k6/experimental/csv`: `await csv.parse(file, options)` (every record, frozen and shared as a
 * SharedArray is) and `new csv.Parser(file, options)` with `await parser.next()`. Options as k6:
 * delimiter (','), asObjects (the header row names the fields), skipFirstLine, fromLine, toLine.
 * Records follow RFC 4180: quoted fields may hold the delimiter, newlines and doubled quotes.
 */

interface CsvOptions {
  delimiter?: string;
  asObjects?: boolean;
  skipFirstLine?: boolean;
  fromLine?: number;
  toLine?: number;
}

/** Every record of the text, as arrays of fields. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  if (delimiter.length !== 1) throw new TypeError(`csv: the delimiter must be one character, got "${delimiter}"`);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function checkFile(file: unknown, what: string): K6File {
  if (!(file instanceof K6File)) throw new TypeError(`${what}: the first argument must be a file opened with open() from k6/experimental/fs`);
  return file;
}

/** The records the options select: lines [fromLine, toLine], the header taken out when asObjects. */
function records(file: K6File, options: CsvOptions = {}): Array<string[] | Record<string, string>> {
  let rows = parseCsv(file.data.toString('utf8'), options.delimiter ?? ',');
  let header: string[] | undefined;
  if (options.asObjects) header = rows.shift();
  else if (options.skipFirstLine) rows.shift();
  const from = options.fromLine ?? 0;
  const to = options.toLine === undefined ? rows.length - 1 : options.toLine;
  if (from < 0 || to < from) throw new RangeError(`csv: fromLine ${from} and toLine ${to} select no lines`);
  rows = rows.slice(from, to + 1);
  if (!header) return rows;
  const names = header;
  return rows.map((r) => Object.fromEntries(names.map((name, i) => [name, r[i] ?? ''])));
}

export const csvModule: K6Module = {
  specifier: 'k6/experimental/csv',
  blocking: [],
  create(vu) {
    const { loop } = vu;
    class Parser {
      private readonly rows: Array<string[] | Record<string, string>>;
      private index = 0;
      constructor(file: unknown, options?: CsvOptions) {
        this.rows = records(checkFile(file, 'csv.Parser'), options);
      }
      // tracked by the VU's event loop, as every promise of the module
      readonly next = loop.tracked(async (): Promise<{ done: boolean; value: string[] | Record<string, string> | undefined }> => {
        if (this.index >= this.rows.length) return { done: true, value: undefined };
        return { done: false, value: this.rows[this.index++] };
      });
    }
    const parse = loop.tracked(async (file: unknown, options?: CsvOptions) => Object.freeze(records(checkFile(file, 'csv.parse'), options).map((r) => Object.freeze(r))));
    const api = { parse, Parser };
    return { ...api, default: api };
  },
};
