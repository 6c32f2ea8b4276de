import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { stateDir } from '../paths.js';
import type { MetricSample, RequestRecord, SpanRecord, TimelineEvent } from './records.js';

/** The files of `.peakready/runs/<id>/`, as DESIGN.md lists them. */
export const RUN_FILES = {
  config: 'config.json',
  timeline: 'timeline.ndjson',
  metrics: 'metrics.ndjson',
  requests: 'requests.ndjson',
  summary: 'summary.json',
  traces: 'traces.ndjson',
  checks: 'checks.json',
  integrity: 'integrity.json',
  readback: 'readback.json',
  sqlChecks: 'sql-checks.json',
  cleanup: 'cleanup.json',
  reportJson: 'report.json',
  reportHtml: 'report.html',
  junit: 'junit.xml',
  summaryMd: 'summary.md',
  pids: 'pids.json',
  logs: 'logs',
} as const;

export type RunFile = keyof typeof RUN_FILES;

/**
 * One run's directory. Writers append NDJSON lines synchronously (one small write each, so a
 * crash loses at most the line being written); readers stream the files back.
 */
export class RunDirectory {
  readonly id: string;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.id = this.root.split(/[\\/]/).pop()!;
  }

  /** Creates `<base>/runs/<timestamp>-<command>` (base defaults to `.peakready`). */
  static create(command: string, base: string = stateDir()): RunDirectory {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    let id = `${stamp}-${command}`;
    const runs = join(base, 'runs');
    for (let n = 2; existsSync(join(runs, id)); n++) id = `${stamp}-${command}-${n}`;
    const dir = new RunDirectory(join(runs, id));
    mkdirSync(join(dir.root, RUN_FILES.logs), { recursive: true });
    return dir;
  }

  /** Opens an existing run by path or id; without one, the newest run. */
  static open(pathOrId?: string, base: string = stateDir()): RunDirectory {
    const runs = join(base, 'runs');
    if (!pathOrId) {
      const ids = existsSync(runs) ? readdirSync(runs).filter((n) => statSync(join(runs, n)).isDirectory()).sort() : [];
      const newest = ids.at(-1);
      if (!newest) throw new UsageError(`no runs found in ${runs}; run \`peakready drill\` or \`peakready run SCRIPT\` first`);
      return new RunDirectory(join(runs, newest));
    }
    for (const candidate of [resolve(pathOrId), join(runs, pathOrId)]) {
      if (existsSync(join(candidate, RUN_FILES.timeline)) || existsSync(join(candidate, RUN_FILES.config))) {
        return new RunDirectory(candidate);
      }
    }
    throw new UsageError(`run "${pathOrId}" not found (looked for a run directory at ${resolve(pathOrId)} and ${join(runs, pathOrId)})`);
  }

  path(file: RunFile): string {
    return join(this.root, RUN_FILES[file]);
  }

  has(file: RunFile): boolean {
    return existsSync(this.path(file));
  }

  appendTimeline(event: TimelineEvent): void {
    appendFileSync(this.path('timeline'), JSON.stringify(event) + '\n');
  }

  appendMetrics(samples: readonly MetricSample[]): void {
    if (samples.length) appendFileSync(this.path('metrics'), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  }

  appendRequests(records: readonly RequestRecord[]): void {
    if (records.length) appendFileSync(this.path('requests'), records.map((s) => JSON.stringify(s)).join('\n') + '\n');
  }

  appendSpans(spans: readonly SpanRecord[]): void {
    if (spans.length) appendFileSync(this.path('traces'), spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
  }

  writeJson(file: RunFile, value: unknown): void {
    writeFileSync(this.path(file), JSON.stringify(value, null, 2) + '\n');
  }

  readJson<T>(file: RunFile): T | undefined {
    if (!this.has(file)) return undefined;
    return JSON.parse(readFileSync(this.path(file), 'utf8')) as T;
  }

  /** All lines of an NDJSON file; a torn last line (crash mid-write) is skipped. */
  readLines<T>(file: 'timeline' | 'metrics' | 'requests' | 'traces'): T[] {
    if (!this.has(file)) return [];
    const out: T[] = [];
    for (const line of readFileSync(this.path(file), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // a line torn by a crash; everything before it is intact
      }
    }
    return out;
  }

  timeline(): TimelineEvent[] {
    return this.readLines<TimelineEvent>('timeline');
  }

  logPath(name: string): string {
    return join(this.root, RUN_FILES.logs, name);
  }
}
