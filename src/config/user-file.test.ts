import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { ConfigError } from '../errors.js';
import { readUserText } from './user-file.js';

function refusal(path: string, maxBytes?: number): string {
  try {
    readUserText(path, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues[0]!.message;
  }
  throw new Error(`${path} was read`);
}

describe('readUserText', () => {
  const dir = tempDir('peakready-user-file-');
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('reads a UTF-8 text file whole', () => {
    expect(readUserText(file('ok.yaml', 'title: café ✓\n')).text).toBe('title: café ✓\n');
  });

  it('refuses a missing file, a folder, a file past the limit, a binary file and bytes that are not UTF-8', () => {
    mkdirSync(join(dir, 'folder.yaml'));
    expect(refusal(join(dir, 'none.yaml'))).toBe('file not found');
    expect(refusal(join(dir, 'folder.yaml'))).toBe('is a directory; give the file inside it');
    expect(refusal(file('big.yaml', 'x'.repeat(3000)), 2048)).toBe('is 3 KiB, over the 2 KiB a peakready file may have; is this the right file?');
    expect(refusal(file('big2.yaml', '#'.repeat(2 * 1024 * 1024 + 100)))).toMatch(/^is 2\.0 MiB, over the 1\.0 MiB/);
    expect(refusal(file('image.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])))).toMatch(/^is a binary file/);
    expect(refusal(file('latin1.yaml', Buffer.from([0x74, 0xe9, 0x0a])))).toBe('is not UTF-8 text; save it as UTF-8');
  });

  it('stops reading a stream that never ends at the limit', () => {
    // a character device reports size 0: the bound is the read, not the stat
    expect(refusal('/dev/zero', 4096)).toBe('is over the 4 KiB a peakready file may have; is this the right file?');
  });
});
