import { z } from 'zod';
import { intAttribute } from './attributes.js';
import { TimedQueue } from './timed-queue.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ rate: intAttribute(10_000_000, 'KB/s') });

/**
 * bandwidth: at most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy). Chunks are cut into pieces
 * worth 100 ms each so the flow is smooth instead of bursts; rate 0 means unlimited.
 */
export const bandwidth: ToxicType<z.output<typeof attributes>> = {
  type: 'bandwidth',
  attributes,
  stage(attrs, out) {
    const queue = new TimedQueue(out);
    return {
      data(chunk) {
        const { rate } = attrs();
        if (rate <= 0 && queue.idle) return out.data(chunk);
        const bytesPerMs = Math.max(rate, 1); // KB/s = bytes/ms
        const piece = Math.max(1, bytesPerMs * 100);
        let at = queue.lastAt(performance.now());
        for (let offset = 0; offset < chunk.length; offset += piece) {
          const part = chunk.subarray(offset, offset + piece);
          at += part.length / bytesPerMs;
          queue.push(at, part);
        }
      },
      end() {
        queue.push(performance.now(), null);
      },
      detach: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
