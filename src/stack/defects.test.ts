import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { getService, referenceStack } from './definition.js';
import { DEFECT_NAMES, DEFECTS, defectsEnvValue, parseDefects, withDefects } from './defects.js';

describe('seeded defects', () => {
  it('describes every defect: the bug, the symptom, the check and its evidence', () => {
    expect(Object.keys(DEFECTS)).toEqual([...DEFECT_NAMES]);
    for (const d of Object.values(DEFECTS)) {
      expect(d.bug.length, d.name).toBeGreaterThan(20);
      expect(d.symptom.length, d.name).toBeGreaterThan(20);
      expect(d.evidence.length, d.name).toBeGreaterThan(10);
    }
  });

  it('parses names, dropping repeats; an unknown one is a usage error with a guess and the list', () => {
    expect(parseDefects(['no-scale', ' leave-toxic', 'no-scale'])).toEqual(['no-scale', 'leave-toxic']);
    expect(() => parseDefects(['inventory-oversel'])).toThrow(UsageError);
    expect(() => parseDefects(['inventory-oversel'])).toThrow(/did you mean "inventory-oversell"\?.*use one of checkout-double-charge, /);
    expect(() => parseDefects(['x'], 'system.bundled.defects')).toThrow(/^system\.bundled\.defects: "x"/);
    expect(defectsEnvValue(['no-scale', 'leave-toxic'])).toBe('no-scale,leave-toxic');
  });

  it('rewires the definition only for the defects that change it', () => {
    const def = referenceStack(7100);
    expect(withDefects(def, [])).toBe(def);
    expect(withDefects(def, ['inventory-oversell'])).toBe(def);
    const broken = withDefects(def, ['checkout-calls-recommendations', 'no-scale']);
    expect(getService(broken, 'checkout').dependsOn).toContain('recommendations');
    expect(getService(broken, 'catalog').resources.requests.cpuMillicores).toBe(0);
    expect(getService(broken, 'search').resources.requests.cpuMillicores).toBe(getService(def, 'search').resources.requests.cpuMillicores);
    expect(getService(def, 'checkout').dependsOn).not.toContain('recommendations');
  });
});
