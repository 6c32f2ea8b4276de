import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory (`prefix` + random suffix) under the test run's scratch root, which
 * test/global-setup.ts creates and removes when the run ends; under the system's temp dir when a
 * test file runs without that setup.
 */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(process.env.PEAKREADY_TEST_TMP ?? tmpdir(), prefix));
}
