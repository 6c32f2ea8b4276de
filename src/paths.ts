import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The peakready package root (where package.json is), from source or from dist/. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('peakready: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
})();

/** The version in peakready's package.json (the installed one, wherever it is). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The built JavaScript file for a source module, e.g. `distEntry('reference-stack/services/gateway/main')`.
 * Child processes and worker threads always start from dist/ (built by `npm ci` / `npm run build`
 * / the test global setup), so that tests and users run the same code. An absolute path is taken
 * as the built file itself (a test's fixture service, built outside dist/).
 */
export function distEntry(sourcePathWithoutExtension: string): string {
  const file = isAbsolute(sourcePathWithoutExtension) ? sourcePathWithoutExtension : join(packageRoot, 'dist', `${sourcePathWithoutExtension}.js`);
  if (!existsSync(file)) {
    throw new Error(`peakready: ${file} is missing; run \`npm run build\` first`);
  }
  return file;
}

/** A file shipped with the package (scenarios/, chaos/, dashboards/, alerts/). */
export function shipped(relativePath: string): string {
  return join(packageRoot, relativePath);
}

/** Where state lives: `.peakready/` in the current working directory unless PEAKREADY_HOME says otherwise. */
export function stateDir(): string {
  return resolve(process.env.PEAKREADY_HOME ?? '.peakready');
}
