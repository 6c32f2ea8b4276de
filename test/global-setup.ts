import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Child processes (services, load workers) run from dist/: build once before any test starts.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
}
