// Two builds, never mixed:
//
// - the product (default): every TypeScript file of src/ and reference-stack/ transpiled into dist/,
//   one file per file, keeping the tree. Tests, `fixtures/` folders and test support are left out:
//   dist/ is what users run. Child processes (stack services, load workers) always run from dist/,
//   so the CLI and the tests start exactly the same code.
// - `--fixtures`: the child-process fixtures of the tests (test/fixtures/**/*.ts: fake services, CPU
//   burners, a crashing supervisor) into dist-test/, each bundled with the product code it imports,
//   so that nothing of the tests ever lands in dist/. The test global setup runs both.
//
// Type checking is `npm run typecheck`, not this. A new tree is built beside its target and swapped
// in with renames, so a process running from dist/ while a build happens never sees it half-empty.
import { build } from 'esbuild';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = process.argv.includes('--fixtures');

/** TypeScript sources under `dir`, without tests, declarations or (for the product) fixtures. */
function collect(dir, out, { skipFixtures }) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || (skipFixtures && name === 'fixtures')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out, { skipFixtures });
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const target = join(root, fixtures ? 'dist-test' : 'dist');
const entryPoints = fixtures
  ? collect(join(root, 'test/fixtures'), [], { skipFixtures: false })
  : ['src', 'reference-stack'].flatMap((r) => collect(join(root, r), [], { skipFixtures: true }));
const staging = join(root, `.dist-${process.pid}`);
const retired = join(root, `.dist-old-${process.pid}`);
const started = Date.now();
try {
  await build({
    entryPoints,
    outdir: staging,
    outbase: root,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // a fixture carries its own copy of the product code it uses; npm packages stay imports
    ...(fixtures ? { bundle: true, packages: 'external' } : { bundle: false }),
  });
  if (existsSync(target)) renameSync(target, retired);
  renameSync(staging, target);
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(retired, { recursive: true, force: true });
}
if (!process.argv.includes('--quiet')) {
  console.log(`peakready: built ${entryPoints.length} files into ${relative(process.cwd(), target) || target} in ${Date.now() - started} ms`);
}
