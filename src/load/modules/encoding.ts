import { base64Variant, decodeBase64, encodeBase64, toArrayBuffer, toBytes } from './bytes.js';
import type { K6Module } from './k6-module.js';

/**
 * `k6/encoding`: b64encode(input, [encoding]) and b64decode(input, [encoding], [format]) as k6
 * documents them: strings are UTF-8, the result of a decode is an ArrayBuffer unless format is
 * "s" (a string).
 */
export const encodingModule: K6Module = {
  specifier: 'k6/encoding',
  blocking: [],
  create() {
    const api = {
      b64encode: (input: unknown, encoding?: string) => encodeBase64(toBytes(input, 'b64encode'), base64Variant(encoding, 'b64encode')),
      b64decode: (input: unknown, encoding?: string, format?: string): ArrayBuffer | string => {
        if (typeof input !== 'string') throw new TypeError('b64decode: the input must be a base64 string');
        const bytes = decodeBase64(input, base64Variant(encoding, 'b64decode'), 'b64decode');
        return format === 's' ? bytes.toString('utf8') : toArrayBuffer(bytes);
      },
    };
    return { ...api, default: api };
  },
};
