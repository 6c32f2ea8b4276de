import { z } from 'zod';
import { intAttribute, MAX_MS } from './attributes.js';
import { TimedQueue } from './timed-queue.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ latency: intAttribute(MAX_MS, 'ms'), jitter: intAttribute(MAX_MS, 'ms') });

/**
 * latency: every chunk leaves `latency ± jitter` ms after it arrived, never ahead of an earlier
 * chunk; the end of stream follows the last chunk (as Toxiproxy: the delay counts from arrival).
 */
export const latency: ToxicType<z.output<typeof attributes>> = {
  type: 'latency',
  attributes,
  stage(attrs, out) {
    const queue = new TimedQueue(out);
    return {
      data(chunk) {
        const { latency: ms, jitter } = attrs();
        const delay = Math.max(0, ms + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0));
        // nothing to wait for: skip the timer (a wake-up costs more than the copy)
        if (delay === 0 && queue.idle) return out.data(chunk);
        queue.push(performance.now() + delay, chunk);
      },
      end() {
        queue.push(performance.now(), null);
      },
      detach: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
