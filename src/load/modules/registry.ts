import { csvModule } from './csv.js';
import { dataModule } from './data.js';
import { encodingModule } from './encoding.js';
import { executionModule } from './execution.js';
import { grpcModule } from './grpc.js';
import { fsModule } from './fs.js';
import { htmlModule } from './html.js';
import { httpModule } from './http.js';
import type { K6Module } from './k6-module.js';
import { k6CryptoModule } from './k6-crypto.js';
import { k6Module } from './k6.js';
import { metricsModule } from './metrics.js';
import { secretsModule } from './secrets.js';
import { streamsModule } from './streams.js';
import { summaryJslibModule, SUMMARY_JSLIB } from './summary-jslib.js';
import { timersModule } from './timers.js';
import { websocketsModule } from './websockets.js';
import { wsModule } from './ws.js';

/**
 * The k6 modules the built-in engine provides, by import path (as k6's own module table).
 * Adding one: a file in this folder exporting a `K6Module` (k6-module.ts), and one line in `moduleTable`.
 */

const moduleTable: ReadonlyMap<string, K6Module> = new Map(
  [k6Module, httpModule, metricsModule, executionModule, dataModule, timersModule, encodingModule, k6CryptoModule, htmlModule, secretsModule, fsModule, csvModule, streamsModule, grpcModule, wsModule, websocketsModule].map((m) => [m.specifier, m]),
);

/** Modules k6 itself removed: importing one fails in k6 too, with what replaced it. */
const removedModules: ReadonlyMap<string, string> = new Map([
  ['k6/experimental/browser', 'k6/experimental/browser was removed from k6 when the browser module graduated: import k6/browser instead'],
  ['k6/experimental/grpc', 'k6/experimental/grpc was removed from k6 when it graduated: import k6/net/grpc instead'],
  ['k6/experimental/timers', 'k6/experimental/timers was removed from k6 when it graduated: import k6/timers instead'],
  ['k6/experimental/tracing', 'k6/experimental/tracing was removed from k6: its replacement is the http-instrumentation-tempo jslib (https://jslib.k6.io/http-instrumentation-tempo/)'],
  ['k6/experimental/webcrypto', 'k6/experimental/webcrypto was removed from k6 when WebCrypto became the global `crypto`: remove the import and use crypto.subtle'],
  ['k6/experimental/redis', 'k6/experimental/redis was removed from k6 (v2): use the xk6-redis extension (import from k6/x/redis) in a k6 built with xk6'],
]);

/** The module for an import specifier, or undefined when the built-in engine has none. */
export function findK6Module(specifier: string): K6Module | undefined {
  if (SUMMARY_JSLIB.test(specifier)) return summaryJslibModule;
  return moduleTable.get(specifier);
}

export function isRemovedK6Module(specifier: string): boolean {
  return removedModules.has(specifier);
}

/** Why a k6 module cannot be imported: removed from k6 itself, or not provided by the built-in engine. */
export function unavailableModuleMessage(specifier: string): string {
  return (
    removedModules.get(specifier) ??
    `module "${specifier}" is not provided by the built-in engine; run this script with --engine k6 (a k6 binary on PATH)`
  );
}

/** True for specifiers that name k6 modules or remote jslibs rather than the script's own files. */
export function isExternalSpecifier(specifier: string): boolean {
  return specifier === 'k6' || specifier.startsWith('k6/') || /^https?:\/\//.test(specifier);
}

export const providedModules: readonly string[] = [...moduleTable.keys(), 'https://jslib.k6.io/k6-summary/*/index.js'];
