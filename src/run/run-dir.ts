import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
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
export type RecordFile = 'timeline' | 'metrics' | 'requests' | 'traces';

/**
 * The record files written compressed (`requests.ndjson.gz`, ...): a drill's spans and requests
 * are most of its size, and JSON lines compress about tenfold. Each appended batch is its own
 * gzip member (a gzip file may hold several, read back as one stream), written with one
 * synchronous append as before, so a crash still loses at most the batch being written. The
 * timeline stays plain: it is small and tailed live (`scale watch`). Runs written before this
 * (plain `.ndjson`) read as they are.
 */
export const COMPRESSED_RECORDS: ReadonlySet<RecordFile> = new Set(['metrics', 'requests', 'traces']);
/** fastest gzip: a few ms per batch on the drill's main thread, still about tenfold on JSON lines */
const GZIP = { level: constants.Z_BEST_SPEED };

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
    return existsSync(this.path(file)) || (isRecordFile(file) && COMPRESSED_RECORDS.has(file) && existsSync(this.writtenPath(file)));
  }

  /** Where a record file is written: `X.ndjson.gz` for the compressed ones. */
  writtenPath(file: RecordFile): string {
    return COMPRESSED_RECORDS.has(file) ? `${this.path(file)}.gz` : this.path(file);
  }

  /** The record file's paths that exist (an older run's plain file, this version's compressed one). */
  recordPaths(file: RecordFile): string[] {
    return [...new Set([this.path(file), this.writtenPath(file)])].filter((p) => existsSync(p));
  }

  /** Appends lines (JSON text, without newlines) to a record file in one write. */
  appendLines(file: RecordFile, lines: readonly string[]): void {
    if (!lines.length) return;
    const text = lines.join('\n') + '\n';
    appendFileSync(this.writtenPath(file), COMPRESSED_RECORDS.has(file) ? gzipSync(text, GZIP) : text);
  }

  appendTimeline(event: TimelineEvent): void {
    this.appendLines('timeline', [JSON.stringify(event)]);
  }

  appendMetrics(samples: readonly MetricSample[]): void {
    this.appendLines('metrics', samples.map((s) => JSON.stringify(s)));
  }

  appendRequests(records: readonly RequestRecord[]): void {
    this.appendLines('requests', records.map((s) => JSON.stringify(s)));
  }

  appendSpans(spans: readonly SpanRecord[]): void {
    this.appendLines('traces', spans.map((s) => JSON.stringify(s)));
  }

  writeJson(file: RunFile, value: unknown): void {
    writeFileSync(this.path(file), JSON.stringify(value, null, 2) + '\n');
  }

  readJson<T>(file: RunFile): T | undefined {
    if (!this.has(file)) return undefined;
    return JSON.parse(readFileSync(this.path(file), 'utf8')) as T;
  }

  /** All lines of a record file, plain or compressed; a torn last line (crash mid-write) is skipped. */
  readLines<T>(file: RecordFile): T[] {
    const out: T[] = [];
    for (const path of this.recordPaths(file)) {
      for (const line of readRecordText(path).split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as T);
        } catch {
          // a line torn by a crash; everything before it is intact
        }
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

function isRecordFile(file: RunFile): file is RecordFile {
  return file === 'timeline' || file === 'metrics' || file === 'requests' || file === 'traces';
}

/**
 * A record file's text, `.gz` (one or more gzip members) or plain. A member torn by a crash
 * gives what it holds up to the tear (sync flush instead of an error).
 */
export function readRecordText(path: string): string {
  const bytes = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8') : bytes.toString('utf8');
}
