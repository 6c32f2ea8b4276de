import { dataModule } from './data.js';
import { executionModule } from './execution.js';
import { httpModule } from './http.js';
import type { K6Module } from './k6-module.js';
import { k6Module } from './k6.js';
import { metricsModule } from './metrics.js';
import { summaryJslibModule, SUMMARY_JSLIB } from './summary-jslib.js';
import { timersModule } from './timers.js';

/**
 * The k6 modules the built-in engine provides, by import path (as k6's own module table).
 * Adding one: a file in this folder exporting a `K6Module` (k6-module.ts), and one line in `moduleTable`.
 */

const moduleTable: ReadonlyMap<string, K6Module> = new Map(
  [k6Module, httpModule, metricsModule, executionModule, dataModule, timersModule].map((m) => [m.specifier, m]),
);

/** The module for an import specifier, or undefined when the built-in engine has none. */
export function findK6Module(specifier: string): K6Module | undefined {
  if (SUMMARY_JSLIB.test(specifier)) return summaryJslibModule;
  return moduleTable.get(specifier);
}

/** True for specifiers that name k6 modules or remote jslibs rather than the script's own files. */
export function isExternalSpecifier(specifier: string): boolean {
  return specifier === 'k6' || specifier.startsWith('k6/') || /^https?:\/\//.test(specifier);
}

export const providedModules: readonly string[] = [...moduleTable.keys(), 'https://jslib.k6.io/k6-summary/*/index.js'];
