import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadYamlFile } from '../config/load-yaml.js';
import { didYouMean, UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { gameDaySchema, type GameDayFile, type GameDayProfile, type Offset } from './schema.js';
import type { DefectName } from '../stack/defects.js';

/** The bundled shop's own game-day file: what `peakready drill` plays without a file. */
export const DEFAULT_GAMEDAY_FILE = 'scenarios/gameday.yaml';

export type SystemUnderTest =
  | { kind: 'bundled'; basePort?: number; databaseUrl?: string; defects?: DefectName[] }
  | { kind: 'target'; url: string; allowRemote: boolean };

export interface ChaosAt {
  /** the experiment file, absolute */
  file: string;
  during: string;
  at: Offset;
}

/** A game-day file read, validated, its paths made absolute and its profile applied. */
export interface GameDay {
  /** the file, absolute */
  file: string;
  name: string;
  /** the profile played, if the file has profiles */
  profile?: string;
  system: SystemUnderTest;
  load: Omit<GameDayFile['load'], 'script'> & { script: string };
  faults: { toxiproxy: 'embedded' | string; experiments: ChaosAt[] };
  observe: GameDayFile['observe'];
  /** each check's parameters given here (the rest come from the budgets file); budgets: absolute */
  checks: GameDayFile['checks'];
}

/** Reads a game-day file (default: the bundled shop's) and plays `profile` (default: the file's own). */
export function loadGameDay(path?: string, profileName?: string): GameDay {
  const file = resolve(path ?? shipped(DEFAULT_GAMEDAY_FILE));
  const raw = loadYamlFile(file, gameDaySchema);
  const chosen = profileName ?? raw.profile;
  if (chosen !== undefined && !(chosen in raw.profiles)) {
    const known = Object.keys(raw.profiles);
    const guess = didYouMean(chosen, known);
    throw new UsageError(`--profile: "${chosen}" is not a profile of ${file}; ${guess ? `did you mean "${guess}"? ` : ''}${known.length ? `use one of ${known.join(', ')}` : 'it has none'}`);
  }
  return withProfile(resolvePaths(file, raw), chosen, chosen === undefined ? undefined : raw.profiles[chosen]);
}

function resolvePaths(file: string, raw: GameDayFile): GameDay {
  const here = (p: string) => resolve(dirname(file), p);
  const { system } = raw;
  return {
    file,
    name: raw.name,
    system: system.target ? { kind: 'target', url: system.target, allowRemote: system.allowRemote } : { kind: 'bundled', ...system.bundled },
    load: { ...raw.load, script: here(raw.load.script), ...(raw.load.k6Operator?.kubeconfig ? { k6Operator: { ...raw.load.k6Operator, kubeconfig: here(raw.load.k6Operator.kubeconfig) } } : {}) },
    faults: { toxiproxy: raw.faults.toxiproxy, experiments: raw.faults.experiments.map((e) => ({ ...e, file: here(e.file) })) },
    observe: withKubeconfigPath(raw.observe, here),
    checks: {
      ...raw.checks,
      ...(raw.checks.budgets ? { budgets: here(raw.checks.budgets) } : {}),
      ...(raw.checks.tracing?.rules ? { tracing: { ...raw.checks.tracing, rules: here(raw.checks.tracing.rules) } } : {}),
    },
  };
}

/** The kubeconfig relative to the file, or to the home directory when written `~/…` (as a shell would). */
function withKubeconfigPath(observe: GameDayFile['observe'], here: (p: string) => string): GameDayFile['observe'] {
  const kubernetes = observe.scaling.kubernetes;
  if (!kubernetes?.kubeconfig) return observe;
  const { kubeconfig } = kubernetes;
  const path = kubeconfig === '~' || kubeconfig.startsWith('~/') ? join(homedir(), kubeconfig.slice(1)) : here(kubeconfig);
  return { ...observe, scaling: { ...observe.scaling, kubernetes: { ...kubernetes, kubeconfig: path } } };
}

function withProfile(day: GameDay, name: string | undefined, profile: GameDayProfile | undefined): GameDay {
  if (name === undefined || !profile) return day;
  const at = profile.faults?.at;
  const syncPeriod = profile.observe?.scaling?.local?.syncPeriod;
  const local = day.observe.scaling.local;
  return {
    ...day,
    profile: name,
    load: { ...day.load, timeScale: profile.load?.timeScale ?? day.load.timeScale, env: { ...day.load.env, ...profile.load?.env } },
    faults: { ...day.faults, experiments: day.faults.experiments.map((e) => (at ? { ...e, at } : e)) },
    observe: local && syncPeriod !== undefined ? { ...day.observe, scaling: { ...day.observe.scaling, local: { syncPeriod } } } : day.observe,
  };
}
