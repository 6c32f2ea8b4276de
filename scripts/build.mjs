// Transpiles every TypeScript file of src/ and reference-stack/ into dist/, one file per file,
// keeping the tree. Child processes (stack services, load workers) always run from dist/, so the
// CLI and the tests start exactly the same code. Type checking is `npm run typecheck`, not this.
//
// The new tree is built beside dist/ and swapped in with renames, so a process that is running
// from dist/ while a build happens (a test, a replica) never sees it half-empty.
import { build } from 'esbuild';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['src', 'reference-stack'];

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const entryPoints = roots.flatMap((r) => collect(join(root, r), []));
const dist = join(root, 'dist');
const staging = join(root, `.dist-${process.pid}`);
const retired = join(root, `.dist-old-${process.pid}`);
const started = Date.now();
try {
  await build({
    entryPoints,
    outdir: staging,
    outbase: root,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  if (existsSync(dist)) renameSync(dist, retired);
  renameSync(staging, dist);
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(retired, { recursive: true, force: true });
}
if (!process.argv.includes('--quiet')) {
  console.log(`peakready: built ${entryPoints.length} files into ${relative(process.cwd(), dist) || 'dist'} in ${Date.now() - started} ms`);
}
