import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseBasePort, parseReplicasFlag, stackOptionsFromFlags } from './stack-flags.js';

describe('stack flags', () => {
  it('parses --replicas', () => {
    expect(parseReplicasFlag('catalog=3, search=2')).toEqual({ catalog: 3, search: 2 });
    expect(parseReplicasFlag(undefined)).toEqual({});
  });

  it('refuses a bad --replicas with the fix', () => {
    expect(() => parseReplicasFlag('catalgo=3')).toThrow(/"catalgo" is not a service; did you mean "catalog"\?/);
    expect(() => parseReplicasFlag('catalog:3')).toThrow(/"catalog:3" is not service=count; write it like --replicas catalog=3,search=2/);
    expect(() => parseReplicasFlag('catalog=0')).toThrow(/must be from 1 to 64/);
    expect(() => parseReplicasFlag('catalog=0')).toThrow(UsageError);
  });

  it('checks --base-port', () => {
    expect(parseBasePort('7400')).toBe(7400);
    expect(() => parseBasePort('80')).toThrow(/--base-port: "80" must be a whole number from 1024 to 65000/);
    expect(() => parseBasePort('abc')).toThrow(UsageError);
  });

  it('turns flags into StartStackOptions', () => {
    expect(stackOptionsFromFlags({ basePort: '7400', faultProxy: true, tracing: true, readyTimeout: '45s' }, {})).toEqual({
      basePort: 7400,
      replicas: {},
      faultProxy: true,
      otlpEndpoint: false,
      readyTimeoutMs: 45_000,
    });
    const withEnv = stackOptionsFromFlags({ tracing: true, databaseUrl: 'postgres://x@127.0.0.1/y' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(withEnv.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(withEnv.databaseUrl).toBe('postgres://x@127.0.0.1/y');
    expect(stackOptionsFromFlags({ tracing: false }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).otlpEndpoint).toBe(false);
  });

  it('refuses contradictions and a remote --toxiproxy', () => {
    expect(() => stackOptionsFromFlags({ toxiproxy: 'http://127.0.0.1:8474', faultProxy: false })).toThrow(/--toxiproxy and --no-fault-proxy contradict/);
    expect(() => stackOptionsFromFlags({ otlpEndpoint: 'http://127.0.0.1:4318', tracing: false })).toThrow(/contradict/);
    expect(() => stackOptionsFromFlags({ toxiproxy: 'http://10.1.2.3:8474' })).toThrow(/not a loopback address/);
    expect(() => stackOptionsFromFlags({ otlpEndpoint: 'nope', tracing: true })).toThrow(/--otlp-endpoint: "nope" is not a URL/);
  });

  it('--defect switches seeded defects on and refuses unknown ones with the list', () => {
    expect(stackOptionsFromFlags({ defect: ['no-scale', 'trace-context-dropped'] }, {}).defects).toEqual(['no-scale', 'trace-context-dropped']);
    expect(stackOptionsFromFlags({}, {}).defects).toBeUndefined();
    expect(() => stackOptionsFromFlags({ defect: ['leave-toxin'] }, {})).toThrow(/did you mean "leave-toxic"/);
  });
});
