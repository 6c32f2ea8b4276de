import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadEngine } from './engines.js';

describe('loadEngine', () => {
  it('finds the engines by name; auto (and no name) is the built-in one', () => {
    expect(loadEngine().name).toBe('builtin');
    expect(loadEngine('auto').name).toBe('builtin');
    expect(loadEngine('builtin').name).toBe('builtin');
    expect(loadEngine('k6').name).toBe('k6');
  });

  it('the built-in engine reads scripts; a real k6 leaves that to it', () => {
    expect(loadEngine('builtin').inspect).toBeTypeOf('function');
    expect(loadEngine('k6').inspect).toBeUndefined();
  });

  it('refuses a name that is no engine, naming the ones there are', () => {
    expect(() => loadEngine('k7' as never)).toThrow(new UsageError('--engine: "k7" is not an engine; use auto, builtin or k6'));
  });
});
