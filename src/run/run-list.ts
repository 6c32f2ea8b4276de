import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../paths.js';

/**
 * The runs under `<PEAKREADY_HOME>/runs/` as `peakready runs` lists them (when, what, verdict,
 * size on disk), and which of them a prune removes. Reading a run's verdict never judges it: the
 * verdict is the one its own report (report.json), thresholds (summary.json) or chaos result wrote.
 */
export interface RunEntry {
  id: string;
  root: string;
  /** the command that made it: drill, run, up, chaos, otlp ... */
  command: string;
  startedAt: Date;
  profile?: string;
  /** pass, fail, inconclusive; `thresholds ok` / `thresholds failed` for a plain run; undefined when the run has none (yet) */
  verdict?: string;
  bytes: number;
}

const ID_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([a-z0-9-]+?)(?:-\d+)?$/;

export function listRuns(base: string = stateDir()): RunEntry[] {
  const runs = join(base, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => runEntry(join(runs, d.name), d.name))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : 1));
}

function runEntry(root: string, id: string): RunEntry {
  const config = readJson<{ command?: string; profile?: string | null; startedAt?: string }>(join(root, 'config.json'));
  const m = ID_TIME.exec(id);
  const fromId = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  const startedAt = config?.startedAt ? new Date(config.startedAt) : (fromId ?? statSync(root).mtime);
  const verdict = verdictOf(root);
  return {
    id,
    root,
    command: config?.command?.split(' ')[0] ?? m?.[7] ?? '?',
    startedAt,
    ...(config?.profile ? { profile: config.profile } : {}),
    ...(verdict ? { verdict } : {}),
    bytes: sizeOf(root),
  };
}

function verdictOf(root: string): string | undefined {
  const report = readJson<{ verdict?: string }>(join(root, 'report.json'));
  if (report?.verdict) return report.verdict;
  const chaos = readJson<{ status?: string }>(join(root, 'chaos-result.json'));
  if (chaos?.status) return `chaos ${chaos.status}`;
  const summary = readJson<{ metrics?: Record<string, { thresholds?: Record<string, { ok: boolean }> }> }>(join(root, 'summary.json'));
  if (!summary?.metrics) return undefined;
  const results = Object.values(summary.metrics).flatMap((m) => Object.values(m.thresholds ?? {}));
  if (!results.length) return 'no thresholds';
  return results.every((r) => r.ok) ? 'thresholds ok' : 'thresholds failed';
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // absent, or torn by a crash: the run still lists
  }
}

function sizeOf(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

export interface PruneRule {
  /** keep the newest N runs */
  keep?: number;
  /** remove runs started longer ago than this */
  olderThanMs?: number;
  /** run directories never removed (the running stack's) */
  inUse?: ReadonlySet<string>;
  now: number;
}

/** The runs a prune removes (pure): past the newest `keep`, and/or older than `olderThanMs`; both given, a run must meet both. */
export function prunable(entries: readonly RunEntry[], rule: PruneRule): RunEntry[] {
  const newestFirst = [...entries].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  return newestFirst.filter((entry, index) => {
    if (rule.inUse?.has(entry.root)) return false;
    const beyondKeep = rule.keep === undefined || index >= rule.keep;
    const oldEnough = rule.olderThanMs === undefined || rule.now - entry.startedAt.getTime() > rule.olderThanMs;
    return beyondKeep && oldEnough;
  });
}

export function removeRuns(entries: readonly RunEntry[]): void {
  for (const entry of entries) rmSync(entry.root, { recursive: true, force: true });
}
