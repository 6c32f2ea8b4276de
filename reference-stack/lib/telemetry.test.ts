import { describe, expect, it } from 'vitest';
import { samplerFromEnv } from './telemetry.js';

describe('OTEL_TRACES_SAMPLER', () => {
  it('defaults to parentbased_always_on, as the SDK', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
  });

  it.each([
    ['always_on', undefined, /^AlwaysOnSampler$/],
    ['always_off', undefined, /^AlwaysOffSampler$/],
    ['traceidratio', '0.25', /^TraceIdRatioBased\{0\.25\}$/],
    ['parentbased_always_off', undefined, /^ParentBased\{root=AlwaysOffSampler/],
    ['parentbased_traceidratio', '0.1', /^ParentBased\{root=TraceIdRatioBased\{0\.1\}/],
  ])('%s (arg %s)', (name, arg, expected) => {
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: name, ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }) }).toString()).toMatch(expected);
  });

  it('samples everything when the ratio is not one', () => {
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' }).toString()).toBe('TraceIdRatioBased{1}');
  });
});
