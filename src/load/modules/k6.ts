import { IterationInterrupted, ScriptFail, type VuContext } from '../vu-context.js';
import type { K6Module } from './k6-module.js';

/** `k6`: check, group, sleep, fail, randomSeed. `sleep` and `group` block (awaited by the rewrite). */
export const k6Module: K6Module = {
  specifier: 'k6',
  blocking: ['sleep', 'group'],
  create(vu) {
    const api = {
      check: (value: unknown, sets: Record<string, unknown>, tags?: Record<string, string>) => check(vu, value, sets, tags),
      group: (name: string, fn: () => unknown) => group(vu, name, fn),
      sleep: (seconds: number) => sleep(vu, seconds),
      fail: (message?: string) => {
        throw new ScriptFail(message ?? '');
      },
      randomSeed: (seed: number) => {
        void seed; // Math.random is not seedable on V8 without replacing it for every VU; accepted and ignored
      },
    };
    return { ...api, default: api };
  },
};

function check(vu: VuContext, value: unknown, sets: Record<string, unknown>, extraTags?: Record<string, string>): boolean {
  let all = true;
  const base = vu.tags(extraTags);
  const now = Date.now();
  for (const [name, predicate] of Object.entries(sets ?? {})) {
    let ok: boolean;
    if (typeof predicate === 'function') {
      const result = (predicate as (v: unknown) => unknown)(value);
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
        throw new TypeError(`check "${name}": the predicate returned a promise; k6 check predicates must be synchronous`);
      }
      ok = Boolean(result);
    } else ok = Boolean(predicate);
    if (!ok) all = false;
    vu.emit('checks', ok ? 1 : 0, { ...base, check: name }, now);
  }
  return all;
}

async function group(vu: VuContext, name: string, fn: () => unknown): Promise<unknown> {
  if (typeof name !== 'string' || name === '') throw new TypeError('group(): the name must be a non-empty string');
  if (name.includes('::')) throw new TypeError(`group "${name}": a group name cannot contain "::"`);
  const parent = vu.groupPath;
  vu.groupPath = `${parent}::${name}`;
  const started = performance.now();
  try {
    return await fn();
  } finally {
    const tags = vu.tags();
    vu.groupPath = parent;
    vu.emit('group_duration', performance.now() - started, tags);
  }
}

function sleep(vu: VuContext, seconds: number): Promise<void> {
  const signal = vu.signal;
  if (signal.aborted) return Promise.reject(new IterationInterrupted());
  const ms = Math.max(0, Number(seconds) * 1000);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new IterationInterrupted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
