import { z } from 'zod';
import { intAttribute } from './attributes.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ bytes: intAttribute(Number.MAX_SAFE_INTEGER, 'bytes') });

/** limit_data: lets `bytes` bytes through on this connection, then closes it (the rest is cut off). */
export const limitData: ToxicType<z.output<typeof attributes>> = {
  type: 'limit_data',
  attributes,
  stage(attrs, out) {
    let sent = 0;
    let closed = false;
    return {
      data(chunk) {
        if (closed) return out.dropped(chunk.length);
        const remaining = Math.max(0, attrs().bytes - sent);
        const part = remaining < chunk.length ? chunk.subarray(0, remaining) : chunk;
        if (part.length < chunk.length) out.dropped(chunk.length - part.length);
        if (part.length > 0) out.data(part);
        sent += part.length;
        if (sent >= attrs().bytes) {
          closed = true;
          out.close();
        }
      },
      end: () => out.end(),
      detach() {},
      dispose() {},
    };
  },
};
