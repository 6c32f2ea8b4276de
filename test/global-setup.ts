import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Child processes (services, load workers) run from dist/, the tests' fixture processes from
// dist-test/: build both once before any test starts.
// Every test's temporary directory goes under one root for the run (test/support/temp-dir.ts),
// removed when the run ends, so test runs leave nothing behind in /tmp.
export default function setup(): () => void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build.mjs', '--fixtures', '--quiet'], { cwd: root, stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'peakready-tests-'));
  process.env.PEAKREADY_TEST_TMP = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
