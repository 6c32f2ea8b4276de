import type { K6Module } from './k6-module.js';

/**
 * `k6/secrets`: `await secrets.get(name)` from the default source, `secrets.source(name).get(key)`
 * from a named one (`--secret-source`). Both are asynchronous, as in k6 (their promises are tracked
 * by the VU's event loop). Unlike k6, the values
 * are not redacted from what the script logs.
 */
export const secretsModule: K6Module = {
  specifier: 'k6/secrets',
  blocking: [],
  create(vu) {
    const { sources, defaultSource } = vu.instance.secrets;
    const getFrom = (sourceName: string | undefined, label: string) => vu.loop.tracked(async (key: string) => {
      const source = sourceName === undefined ? undefined : sources[sourceName];
      if (!source) {
        if (Object.keys(sources).length === 0) throw new Error('secrets.get: no secret source is configured; pass --secret-source file=PATH (or mock=key=value)');
        throw new Error(`secrets${label}: there is no ${sourceName === undefined ? 'default secret source (several are given: mark one with ,default)' : `secret source named "${sourceName}"`}`);
      }
      const value = source[String(key)];
      if (value === undefined) throw new Error(`secrets${label}.get("${String(key)}"): no such secret`);
      return value;
    });
    const api = {
      get: (key: string) => getFrom(defaultSource, '')(key),
      source: (name: string) => ({ get: getFrom(String(name), `.source("${String(name)}")`) }),
    };
    return { ...api, default: api };
  },
};
