import { compressSync } from 'snappy';

/** Snappy's block format, as Prometheus remote write wants its body (`Content-Encoding: snappy`). */
export function snappyCompress(body: Uint8Array): Uint8Array {
  return compressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
