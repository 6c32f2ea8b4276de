import { z } from 'zod';
import { intAttribute, MAX_MS } from './attributes.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ delay: intAttribute(MAX_MS, 'ms') });

/** slow_close: data passes untouched; the end of the stream is held `delay` ms before it goes on. */
export const slowClose: ToxicType<z.output<typeof attributes>> = {
  type: 'slow_close',
  attributes,
  stage(attrs, out) {
    let timer: NodeJS.Timeout | undefined;
    return {
      data: (chunk) => out.data(chunk),
      end() {
        timer = setTimeout(() => {
          timer = undefined;
          out.end();
        }, attrs().delay);
      },
      detach() {
        if (!timer) return;
        clearTimeout(timer);
        timer = undefined;
        out.end();
      },
      dispose: () => clearTimeout(timer),
    };
  },
};
