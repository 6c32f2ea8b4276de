import { ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableStream, ReadableStreamDefaultReader } from 'node:stream/web';
import type { K6Module } from './k6-module.js';

/**
 * `k6/experimental/streams`: the WHATWG Streams API's ReadableStream (with its default reader
 * and the two queuing strategies), as k6 offers it; Node's implementation of the same standard.
 */
export const streamsModule: K6Module = {
  specifier: 'k6/experimental/streams',
  blocking: [],
  create() {
    const api = { ReadableStream, ReadableStreamDefaultReader, CountQueuingStrategy, ByteLengthQueuingStrategy };
    return { ...api, default: api };
  },
};
