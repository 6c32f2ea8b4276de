import { z } from 'zod';
import { intAttribute, MAX_MS } from './attributes.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ timeout: intAttribute(MAX_MS, 'ms') });

/**
 * timeout: nothing passes; the connection is closed `timeout` ms after the toxic reached it, or
 * held open (data swallowed) until the toxic is removed when timeout is 0, as Toxiproxy does.
 */
export const timeout: ToxicType<z.output<typeof attributes>> = {
  type: 'timeout',
  attributes,
  stage(attrs, out) {
    const ms = attrs().timeout;
    let timer: NodeJS.Timeout | undefined = ms > 0 ? setTimeout(() => out.close(), ms) : undefined;
    const stop = (): void => {
      clearTimeout(timer);
      timer = undefined;
    };
    return {
      data: (chunk) => out.dropped(chunk.length),
      end() {
        // the sender finished; Toxiproxy closes the link when its input closes
        stop();
        out.close();
      },
      detach: stop,
      dispose: stop,
    };
  },
};
