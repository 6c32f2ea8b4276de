import { z } from 'zod';
import { intAttribute, MAX_MS } from './attributes.js';
import type { ToxicType } from './types.js';

const attributes = z.object({ timeout: intAttribute(MAX_MS, 'ms') });

/**
 * reset_peer: the first data to arrive starts a `timeout` ms wait (0 = at once), then both peers
 * get a TCP RST (ECONNRESET) instead of a graceful close. Data is swallowed meanwhile.
 */
export const resetPeer: ToxicType<z.output<typeof attributes>> = {
  type: 'reset_peer',
  attributes,
  stage(attrs, out) {
    let timer: NodeJS.Timeout | undefined;
    let armed = false;
    return {
      data(chunk) {
        out.dropped(chunk.length);
        if (armed) return;
        armed = true;
        timer = setTimeout(() => out.reset(), attrs().timeout);
      },
      end: () => out.end(),
      detach: () => clearTimeout(timer),
      dispose: () => clearTimeout(timer),
    };
  },
};
