import protobuf from 'protobufjs';

/**
 * Prometheus remote write 1.0's body, written from its specification
 * (prometheus.io/docs/specs/remote_write_spec): a protobuf `WriteRequest { repeated TimeSeries
 * timeseries = 1; }`, `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }`,
 * `Label { string name = 1; string value = 2; }`, `Sample { double value = 1; int64 timestamp = 2; }`
 * (milliseconds), labels sorted by name with `__name__` among them; the whole body compressed
 * with snappy's block format (`remote-write-snappy.ts`).
 */
export interface RemoteSeries {
  /** sorted by name, `__name__` included */
  labels: ReadonlyArray<readonly [string, string]>;
  samples: ReadonlyArray<{ value: number; timestampMs: number }>;
}

const LENGTH_DELIMITED = 2;
const FIXED64 = 1;
const VARINT = 0;
const key = (field: number, wire: number) => (field << 3) | wire;

export function encodeWriteRequest(series: readonly RemoteSeries[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32(key(1, LENGTH_DELIMITED)).fork();
    for (const [name, value] of s.labels) {
      w.uint32(key(1, LENGTH_DELIMITED)).fork();
      w.uint32(key(1, LENGTH_DELIMITED)).string(name);
      w.uint32(key(2, LENGTH_DELIMITED)).string(value);
      w.ldelim();
    }
    for (const sample of s.samples) {
      w.uint32(key(2, LENGTH_DELIMITED)).fork();
      w.uint32(key(1, FIXED64)).double(sample.value);
      w.uint32(key(2, VARINT)).int64(Math.round(sample.timestampMs));
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

/** Prometheus' staleness marker: a NaN with this exact bit pattern ends a series. */
export const STALE_NAN: number = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

/** A metric or label name as Prometheus allows it: `[a-zA-Z_:][a-zA-Z0-9_:]*` (labels without `:`). */
export function promName(name: string, label = false): string {
  const cleaned = name.replace(label ? /[^a-zA-Z0-9_]/g : /[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}
