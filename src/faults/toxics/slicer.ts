import { z } from 'zod';
import { intAttribute } from './attributes.js';
import { TimedQueue } from './timed-queue.js';
import type { ToxicType } from './types.js';

const attributes = z
  .object({
    average_size: intAttribute(16_777_216, 'bytes'),
    size_variation: intAttribute(16_777_216, 'bytes'),
    delay: intAttribute(3_600_000_000, 'µs'),
  })
  .superRefine((a, ctx) => {
    // Toxiproxy's documentation: the variation "should be smaller than average_size" (it accepts any)
    if (a.size_variation > 0 && a.size_variation >= a.average_size) {
      ctx.addIssue({ code: 'custom', path: ['size_variation'], message: `must be smaller than average_size (${a.average_size}): slices are average_size ± size_variation bytes` });
    }
  });

/**
 * slicer: cuts each chunk into pieces of `average_size ± size_variation` bytes sent `delay` µs
 * apart, so the peer sees many small reads (as a slow or fragmenting network would give it).
 */
export const slicer: ToxicType<z.output<typeof attributes>> = {
  type: 'slicer',
  attributes,
  stage(attrs, out) {
    const queue = new TimedQueue(out);
    return {
      data(chunk) {
        const { average_size: average, size_variation: variation, delay } = attrs();
        if (average <= 0 && queue.idle) return out.data(chunk);
        const spread = Math.min(variation, Math.max(average - 1, 0));
        let at = queue.lastAt(performance.now());
        for (let offset = 0; offset < chunk.length; ) {
          const size = Math.max(1, Math.round(average + (Math.random() * 2 - 1) * spread));
          queue.push(at, chunk.subarray(offset, offset + size));
          offset += size;
          at += delay / 1000;
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
