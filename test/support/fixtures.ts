import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * The built file of a child-process fixture under test/fixtures/, e.g. `fixtureEntry('stack/echo-service')`.
 * Fixtures are bundled into dist-test/ by `node scripts/build.mjs --fixtures` (the test global setup
 * runs it), never into the product's dist/. The absolute path works wherever an entry is expected.
 */
export function fixtureEntry(name: string): string {
  return join(packageRoot, 'dist-test', 'test', 'fixtures', `${name}.js`);
}
