import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseYamlText } from './load-yaml.js';

const schema = z.object({
  title: z.string(),
  method: z.array(z.object({ toxic: z.object({ type: z.enum(['latency', 'timeout']) }) })),
});

describe('parseYamlText', () => {
  it('returns typed data for a valid file', () => {
    const data = parseYamlText('title: t\nmethod:\n  - toxic: {type: latency}\n', schema, 'x.yaml');
    expect(data.method[0]?.toxic.type).toBe('latency');
  });

  it('names file, line and field of every problem at once', () => {
    const text = 'title: 3\nmethod:\n  - toxic:\n      type: latency\n  - toxic:\n      type: latncy\n';
    let error: unknown;
    try {
      parseYamlText(text, schema, 'chaos/outage.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ file: 'chaos/outage.yaml', line: 1, field: 'title' });
    expect(issues[1]).toMatchObject({ line: 6, field: 'method[1].toxic.type' });
    expect((error as ConfigError).message).toContain('chaos/outage.yaml:6 method[1].toxic.type:');
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseYamlText('title: [unclosed\n', schema, 'bad.yaml')).toThrow(/bad\.yaml:\d+: YAML syntax/);
  });

  it('says which required field is missing, with the fix', () => {
    const strict = z.object({ title: z.string(), at: z.union([z.string(), z.number()]) });
    let error: unknown;
    try {
      parseYamlText('title: t\noffset: 5s\n', strict, 'x.yaml');
    } catch (e) {
      error = e;
    }
    const messages = (error as ConfigError).issues.map((i) => `${i.field ?? ''}: ${i.message}`);
    expect(messages).toContain('at: required field "at" is missing: add it');
  });

  it('refuses an alias bomb with one line instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill('*' + 'abcdefgh'[i]).join(', ')}]`)].join('\n');
    expect(() => parseYamlText(bomb, z.unknown(), 'bomb.yaml')).toThrow(/^bomb\.yaml: YAML aliases expand too far/);
    // a few aliases, as real files use them, are fine
    expect(parseYamlText('base: &b { x: 1 }\none: *b\ntwo: *b\n', z.unknown(), 'ok.yaml')).toEqual({ base: { x: 1 }, one: { x: 1 }, two: { x: 1 } });
  });

  it('refuses an alias without its anchor and pathological nesting as ConfigErrors', () => {
    expect(() => parseYamlText('title: *nowhere\n', z.unknown(), 'x.yaml')).toThrow(ConfigError);
    let error: unknown;
    try {
      parseYamlText('['.repeat(50_000) + ']'.repeat(50_000), z.unknown(), 'deep.yaml');
    } catch (e) {
      error = e;
    }
    // the parser may call it a syntax error or run out of stack: a ConfigError either way
    if (error !== undefined) expect(error).toBeInstanceOf(ConfigError);
  });
});
