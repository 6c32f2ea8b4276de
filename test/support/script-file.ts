import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A writer of k6 scripts (and the files they import) into `dir`: `script(name, source)` returns the path. */
export function scriptWriter(dir: string): (name: string, source: string) => string {
  return (name, source) => {
    const file = join(dir, name);
    writeFileSync(file, source);
    return file;
  };
}
