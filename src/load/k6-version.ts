/**
 * The k6 release whose documented JavaScript API and run semantics the built-in engine follows
 * (modules, options, executors, exit codes, the end-of-test summary), checked against the
 * typings of @types/k6. What differs is listed in README.md and src/load/README.md.
 */
export const K6_SEMANTICS_VERSION = 'v1.7';

/** What `peakready run --version` prints after peakready's own version. */
export function engineVersionLine(peakreadyVersion: string): string {
  return `peakready ${peakreadyVersion} (built-in engine: k6 ${K6_SEMANTICS_VERSION} semantics; --engine k6 runs the k6 on PATH instead)`;
}
