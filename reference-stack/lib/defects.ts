import { DEFECTS_ENV, isDefectName, type DefectName } from '../../src/stack/defects.js';

/**
 * The seeded defects this replica plays (src/stack/defects.ts says what each one is): the names in
 * PEAKREADY_DEFECTS, comma-separated, which the supervisor (or the test launcher) passes to every
 * replica. Unset or empty: none, the healthy shop. An unknown name stops the replica at start.
 */
export function activeDefects(env: NodeJS.ProcessEnv = process.env): ReadonlySet<DefectName> {
  const raw = env[DEFECTS_ENV] ?? '';
  const out = new Set<DefectName>();
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (!isDefectName(name)) throw new Error(`${DEFECTS_ENV}="${raw}": "${name}" is not a seeded defect (see src/stack/defects.ts); fix or unset it`);
    out.add(name);
  }
  return out;
}

/** true when this replica plays `name` (read once per call: services read it at start). */
export function defectOn(name: DefectName): boolean {
  return activeDefects().has(name);
}
