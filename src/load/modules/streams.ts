import {
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  ReadableStream,
  ReadableStreamDefaultReader,
  type ReadableStreamBYOBReader,
  type ReadableStreamGetReaderOptions,
  type ReadableStreamReader,
  type ReadableStreamReadResult,
} from 'node:stream/web';
import type { K6Module } from './k6-module.js';

/**
 * `k6/experimental/streams`: the WHATWG Streams API's ReadableStream (with its default reader
 * and the two queuing strategies), as k6 offers it; Node's implementation of the same standard.
 * A default reader's `read()` is tracked by the VU's event loop, so `reader.read().then(...)` in
 * a synchronous function still runs inside the iteration (a read that never settles holds the
 * iteration until the scenario's end, as any pending work does).
 */
export const streamsModule: K6Module = {
  specifier: 'k6/experimental/streams',
  blocking: [],
  create(vu) {
    const { loop } = vu;
    class VuStreamReader<R> extends ReadableStreamDefaultReader<R> {
      override read(): Promise<ReadableStreamReadResult<R>> {
        return loop.track(super.read());
      }
    }
    class VuReadableStream<R> extends ReadableStream<R> {
      override getReader(options: { mode: 'byob' }): ReadableStreamBYOBReader;
      override getReader(): ReadableStreamDefaultReader<R>;
      override getReader(options?: ReadableStreamGetReaderOptions): ReadableStreamReader<R>;
      override getReader(options?: ReadableStreamGetReaderOptions): ReadableStreamReader<R> {
        return options?.mode === 'byob' ? super.getReader({ mode: 'byob' }) : new VuStreamReader<R>(this);
      }
    }
    const api = { ReadableStream: VuReadableStream, ReadableStreamDefaultReader: VuStreamReader, CountQueuingStrategy, ByteLengthQueuingStrategy };
    return { ...api, default: api };
  },
};
