import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { parseSecretSources } from './secret-sources.js';

const dir = tempDir('peakready-secrets-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('--secret-source, as k6 reads it', () => {
  it('reads a file source (key=value lines; a value may hold "=") and makes a lone source the default', () => {
    const path = file('one.txt', 'token=abc==\npassword=very secret\n');
    expect(parseSecretSources([`file=${path}`])).toEqual({ sources: { '': { token: 'abc==', password: 'very secret' } }, defaultSource: '' });
    expect(parseSecretSources([`file=filename=${path},name=vault`]).defaultSource).toBe('vault');
  });

  it('names sources, marks the default, and takes mock sources', () => {
    const path = file('two.txt', 'k=file\n');
    const parsed = parseSecretSources([`file=${path},name=disk`, 'mock=k=mock,other=2,name=cli,default']);
    expect(parsed).toEqual({ sources: { disk: { k: 'file' }, cli: { k: 'mock', other: '2' } }, defaultSource: 'cli' });
    expect(parseSecretSources([`file=${path},name=a`, 'mock=k=v,name=b']).defaultSource).toBeUndefined();
  });

  it('says what is wrong with a source, with the fix', () => {
    expect(() => parseSecretSources(['vault=x'])).toThrow(/no secret source of type "vault"; the built-in engine has file and mock/);
    expect(() => parseSecretSources([`file=${file('bad.txt', 'novalue\n')}`])).toThrow(/bad\.txt:1: "novalue" has no "="; write one key=value per line/);
    expect(() => parseSecretSources([`file=${join(dir, 'missing.txt')}`])).toThrow(/cannot read .*missing\.txt/);
    expect(() => parseSecretSources(['mock=a=1,default', 'mock=b=2,name=x,default'])).toThrow(/only one secret source can be the default/);
    expect(() => parseSecretSources(['mock=a=1', 'mock=b=2'])).toThrow(/a secret source named "" is already given/);
  });
});
