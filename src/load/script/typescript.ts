import { transformSync, type TransformFailure } from 'esbuild';
import { ScriptError } from './errors.js';

/**
 * TypeScript scripts, as k6 v1 runs them: the types are stripped at load (esbuild, no type
 * checking), the ES module syntax kept for the loader's own rewrite. The source map leads
 * positions back to the .ts file.
 */

export function isTypeScript(file: string): boolean {
  return /\.(ts|mts|cts)$/i.test(file.replace(/[?#].*$/, ''));
}

export function stripTypes(source: string, file: string): { code: string; map: string } {
  try {
    const out = transformSync(source, { loader: 'ts', format: 'esm', target: 'esnext', sourcemap: 'external', sourcefile: file });
    return { code: out.code, map: out.map };
  } catch (error) {
    const first = (error as TransformFailure).errors?.[0];
    if (!first) throw error;
    const where = first.location ? `${file}:${first.location.line}:${first.location.column + 1}` : file;
    throw new ScriptError(`${where}: SyntaxError: ${first.text}`);
  }
}
