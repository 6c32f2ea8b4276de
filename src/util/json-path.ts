/**
 * The JSON path subset a read-back contract names ids and fields with: `$.orderId`,
 * `$.order.id`, `$.items[0].sku`, `$['odd key']`. A leading `$` is optional (`total` is
 * `$.total`). No wildcards, filters or slices: a contract points at one value, and a path that
 * could match several would make "the id" ambiguous.
 */

export type JsonPathSegment = string | number;

export interface JsonPath {
  /** as written */
  source: string;
  segments: readonly JsonPathSegment[];
}

export class JsonPathError extends Error {
  constructor(source: string, at: number, what: string) {
    super(`"${source}" is not a JSON path: ${what} at character ${at + 1}; write it like $.order.id or $.items[0].sku`);
    this.name = 'JsonPathError';
  }
}

const NAME = /^[A-Za-z_$][\w$-]*/;
const INDEX = /^\[(\d+)\]/;
const QUOTED = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/** Parses a path once (throws JsonPathError naming the position); read it with `readJsonPath`. */
export function parseJsonPath(source: string): JsonPath {
  const segments: JsonPathSegment[] = [];
  const text = source.trim();
  let rest = text;
  const at = () => text.length - rest.length;
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (NAME.test(rest)) rest = '.' + rest;
  else throw new JsonPathError(source, at(), 'expected $ or a field name');
  while (rest.length) {
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new JsonPathError(source, at() + 1, 'expected a field name');
      segments.push(name[0]);
      rest = rest.slice(1 + name[0].length);
      continue;
    }
    const index = INDEX.exec(rest);
    const quoted = index ? null : QUOTED.exec(rest);
    if (index) segments.push(Number(index[1]));
    else if (quoted) segments.push((quoted[1] ?? quoted[2]!).replace(/\\(.)/g, '$1'));
    else throw new JsonPathError(source, at(), `unexpected "${rest[0]}"`);
    rest = rest.slice((index ?? quoted)![0].length);
  }
  return { source, segments };
}

/** The value at `path` in `value`, or undefined when any step is missing. */
export function readJsonPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path.segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number' && !Array.isArray(current)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
