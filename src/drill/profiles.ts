import { UsageError } from '../errors.js';

/**
 * A drill profile: which scenario drives the traffic, how much time is compressed, and when the
 * recommendations outage happens. `black-friday` is the game day (a few minutes on one machine);
 * `smoke` is the same story in under a minute, for every pull request.
 */
export interface DrillProfile {
  name: 'smoke' | 'black-friday';
  /** k6 script under scenarios/ */
  script: string;
  /** TIME_SCALE passed to the scenario: 0.1 runs a 10-minute story in 1 minute */
  timeScale: number;
  /** peak arrival rate of the surge (requests/s the generator aims at), PEAK_RPS */
  peakRps: number;
  /** the chaos experiment run during the surge */
  chaos: string;
  /** when the outage starts, as a fraction into the surge phase (0 = its first second) */
  outageStartFraction: number;
  /** the local autoscaler's sync period (Kubernetes: 15 s), compressed with the story */
  syncPeriodMs: number;
}

export const PROFILES: Readonly<Record<DrillProfile['name'], DrillProfile>> = {
  'black-friday': {
    name: 'black-friday',
    script: 'scenarios/black-friday.js',
    timeScale: 0.2,
    peakRps: 250,
    chaos: 'chaos/recommendations-outage.yaml',
    outageStartFraction: 0.45,
    syncPeriodMs: 3_000,
  },
  smoke: {
    name: 'smoke',
    script: 'scenarios/black-friday.js',
    timeScale: 0.05,
    peakRps: 120,
    chaos: 'chaos/recommendations-outage.yaml',
    outageStartFraction: 0.4,
    syncPeriodMs: 1_500,
  },
};

export function getProfile(name: string): DrillProfile {
  const profile = PROFILES[name as DrillProfile['name']];
  if (!profile) {
    throw new UsageError(`--profile: "${name}" is not a profile; use one of ${Object.keys(PROFILES).join(', ')}`);
  }
  return profile;
}
