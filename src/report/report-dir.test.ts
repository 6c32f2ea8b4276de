import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { UsageError } from '../errors.js';
import { assertReportDir, copyReports } from './report-dir.js';

describe('--report DIR, checked before anything runs', () => {
  const root = tempDir('peakready-report-dir-');

  it('accepts a directory, or a path one can be made at, and creates nothing yet', () => {
    expect(assertReportDir(root)).toBe(root);
    const later = join(root, 'not', 'yet');
    expect(assertReportDir(later)).toBe(later);
    expect(existsSync(join(root, 'not'))).toBe(false);
  });

  it('refuses a file, or a path under a file, naming it and the fix', () => {
    const file = join(root, 'report.json');
    writeFileSync(file, '{}');
    expect(() => assertReportDir(file)).toThrow(UsageError);
    expect(() => assertReportDir(file)).toThrow(`--report ${file} is a file; name a directory (it is created if missing), e.g. --report report/`);
    expect(() => assertReportDir(join(file, 'sub'))).toThrow(`${file} is a file, so no directory can be made under it`);
  });

  it('copies the reports into a directory it makes', () => {
    const source = join(root, 'run');
    mkdirSync(source);
    writeFileSync(join(source, 'summary.md'), '# ok\n');
    copyReports([join(source, 'summary.md')], join(root, 'out', 'deep'));
    expect(existsSync(join(root, 'out', 'deep', 'summary.md'))).toBe(true);
  });
});
