import { describe, expect, it } from 'vitest';
import { inlineParameters } from './db.js';

describe('inlineParameters (queries sent to PGlite)', () => {
  it('writes each parameter as a literal', () => {
    expect(inlineParameters('SELECT $1, $2, $3, $4, $10', [1, 'a', null, true, 0, 0, 0, 0, 0, 'x'])).toBe("SELECT 1, 'a', NULL, TRUE, 'x'");
    expect(inlineParameters('SELECT $1::text[], $2::jsonb', [['a', 'b'], { k: "it's" }])).toBe(`SELECT ARRAY['a','b']::text[], '{"k":"it''s"}'::jsonb`);
  });

  it('escapes quotes and backslashes so a value can never end its literal', () => {
    expect(inlineParameters('SELECT $1', ["x'; DROP TABLE t; --"])).toBe("SELECT 'x''; DROP TABLE t; --'");
    expect(inlineParameters('SELECT $1', ['a\\b'])).toBe("SELECT  E'a\\\\b'");
  });

  it('refuses a missing parameter and a non-finite number', () => {
    expect(() => inlineParameters('SELECT $2', [1])).toThrow(/\$2/);
    expect(() => inlineParameters('SELECT $1', [Number.NaN])).toThrow(/NaN/);
  });
});
