#!/usr/bin/env node
// The CLI runs from dist/, which `npm ci` builds through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(
    'peakready: the CLI is not built (dist/ is missing). Run `npm run build` in the peakready folder ' +
      '(npm ci does it unless scripts were disabled with --ignore-scripts).\n',
  );
  process.exit(2);
}
const { main } = await import(entry);
await main(process.argv);
