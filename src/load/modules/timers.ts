import type { K6Module } from './k6-module.js';

/**
 * `k6/timers`: setTimeout, clearTimeout, setInterval, clearInterval on the VU's own event loop
 * (event-loop.ts), so an iteration waits for its timers as k6's does. The same four functions are
 * the script's globals (loader.ts), so importing them is optional, as in k6.
 */
export const timersModule: K6Module = {
  specifier: 'k6/timers',
  blocking: [],
  create(vu) {
    const { setTimeout, clearTimeout, setInterval, clearInterval } = vu.loop;
    const api = { setTimeout, clearTimeout, setInterval, clearInterval };
    return { ...api, default: api };
  },
};
