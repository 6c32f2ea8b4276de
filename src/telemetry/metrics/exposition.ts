/**
 * A parser for the Prometheus text exposition format (version 0.0.4, what prom-client and every
 * Prometheus client library serve): `# HELP`/`# TYPE` lines, samples `name{label="value",...}
 * value [timestamp]`, escapes in label values (\\ \" \n), NaN and ±Inf. Written here because the
 * npm parser we tried (parse-prometheus-text-format 1.1.1) drops the labels, _sum and _count of
 * labelled histograms, which is exactly what the stack exports.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  /** sample name, e.g. http_server_request_duration_seconds_bucket */
  name: string;
  /** family it belongs to (per `# TYPE`), e.g. http_server_request_duration_seconds */
  family: string;
  type: MetricType;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
};
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** `wanted`: skip samples of other families before parsing their labels (scrapes keep few families). */
export function parseExposition(text: string, wanted?: (family: string) => boolean): ExpositionSample[] {
  const types = new Map<string, MetricType>();
  const families = new Map<string, { family: string; type: MetricType }>();
  const out: ExpositionSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1]!, (['counter', 'gauge', 'histogram', 'summary'].includes(m[2]!) ? m[2] : 'untyped') as MetricType);
      continue;
    }
    const sample = parseSample(line, i + 1, types, families, wanted);
    if (sample) out.push(sample);
  }
  return out;
}

function parseSample(
  line: string,
  lineNo: number,
  types: Map<string, MetricType>,
  families: Map<string, { family: string; type: MetricType }>,
  wanted?: (family: string) => boolean,
): ExpositionSample | undefined {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new ExpositionError(lineNo, `expected a metric name at "${line.slice(0, 40)}"`);
  const name = nameMatch[0];
  let known = families.get(name);
  if (!known) families.set(name, (known = familyOf(name, types)));
  const { family, type } = known;
  if (wanted && !wanted(family) && !wanted(name)) return undefined;
  const labels: Record<string, string> = {};
  const pos = line[name.length] === '{' ? readLabels(line, name.length + 1, lineNo, labels) : name.length;
  const rest = line.slice(pos).trim().split(/\s+/);
  if (!rest[0]) throw new ExpositionError(lineNo, `sample ${name} has no value`);
  const value = parseValue(rest[0]);
  if (value === undefined) throw new ExpositionError(lineNo, `sample ${name} has a bad value "${rest[0]}"`);
  const sample: ExpositionSample = { name, family, type, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isFinite(ts)) throw new ExpositionError(lineNo, `sample ${name} has a bad timestamp "${rest[1]}"`);
    sample.timestampMs = ts;
  }
  return sample;
}

/** Reads `name="value",...}` from `pos` (just after the `{`) into `labels`; returns the position after the `}`. */
function readLabels(line: string, pos: number, lineNo: number, labels: Record<string, string>): number {
  for (;;) {
    while (line[pos] === ' ' || line[pos] === ',') pos++;
    if (line[pos] === '}') return pos + 1;
    const key = NAME.exec(line.slice(pos));
    if (!key) throw new ExpositionError(lineNo, `bad label name in "${line.slice(0, 60)}"`);
    pos += key[0].length;
    while (line[pos] === ' ') pos++;
    if (line[pos] !== '=' || line[pos + 1] !== '"') throw new ExpositionError(lineNo, `expected ="value" after label ${key[0]}`);
    pos = readLabelValue(line, pos + 2, lineNo, key[0], labels);
  }
}

/** Reads a label value from `pos` (just after its opening quote) into `labels[key]`; returns the position after the closing quote. */
function readLabelValue(line: string, pos: number, lineNo: number, key: string, labels: Record<string, string>): number {
  const close = line.indexOf('"', pos);
  const backslash = line.indexOf('\\', pos);
  if (close >= 0 && (backslash < 0 || backslash > close)) {
    // the common case: no escapes
    labels[key] = line.slice(pos, close);
    return close + 1;
  }
  let value = '';
  for (;;) {
    const c = line[pos];
    if (c === undefined) throw new ExpositionError(lineNo, `unterminated value of label ${key}`);
    pos++;
    if (c === '"') break;
    if (c === '\\') {
      const e = line[pos++];
      value += e === 'n' ? '\n' : (e ?? '');
    } else value += c;
  }
  labels[key] = value;
  return pos;
}

function parseValue(text: string): number | undefined {
  // as Prometheus (Go's ParseFloat): NaN and Inf in any case; prom-client writes "Nan"
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
  }
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

function familyOf(name: string, types: Map<string, MetricType>): { family: string; type: MetricType } {
  const direct = types.get(name);
  if (direct) return { family: name, type: direct };
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (types.get(base) === type) return { family: base, type: type as MetricType };
    }
  }
  return { family: name, type: 'untyped' };
}
