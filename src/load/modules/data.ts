import type { K6Module } from './k6-module.js';

/**
 * `k6/data`: SharedArray. The loader runs the init code once per VU, so the array's function
 * runs once per thread and every VU of that thread reads the same frozen copy.
 */
export const dataModule: K6Module = {
  specifier: 'k6/data',
  blocking: [],
  create(vu) {
    const cache = vu.instance.sharedArrays;
    function SharedArray(name: string, fn: () => unknown[]): readonly unknown[] {
      if (typeof name !== 'string' || !name) throw new TypeError('SharedArray: the first argument must be a non-empty name');
      let data = cache.get(name);
      if (!data) {
        if (typeof fn !== 'function') throw new TypeError(`SharedArray "${name}": the second argument must be a function returning an array`);
        const made = fn();
        if (!Array.isArray(made)) throw new TypeError(`SharedArray "${name}": the function must return an array`);
        data = Object.freeze(made.map((item) => deepFreeze(item)));
        cache.set(name, data);
      }
      return data;
    }
    const api = { SharedArray };
    return { ...api, default: api };
  },
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
