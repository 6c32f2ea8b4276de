import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DAY_MS = 86_400_000;
/** A plain number: k6 reads it as milliseconds, in a string as in a number. */
const PLAIN = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** Go's time.ParseDuration parts, after k6's optional leading whole days ("2d12h"). */
const EXTENDED = /^(?:(\d+)d)?((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*)$/;
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Milliseconds of a duration written as k6 reads them (its ParseExtendedDuration): "30s",
 * "1m30s", "500ms", "1.5s", "1h2m3s", "2d12h"; a plain number, or a text that is only a number,
 * is milliseconds. `undefined` when it is not a duration (negative ones included: no option of
 * ours means a negative time).
 */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (PLAIN.test(text)) return Number(text);
  const m = EXTENDED.exec(text);
  if (!text || !m) return undefined;
  let total = m[1] ? Number(m[1]) * DAY_MS : 0;
  for (const [, amount, unit] of m[2]!.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** What every reader of a duration says about one it cannot read. */
export function notADuration(value: unknown): string {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return `${shown} is not a duration; write it like "30s", "1m30s" or "500ms"`;
}

/** `durationMs` for a flag or a value the user gave outside a file: a UsageError naming `what`. */
export function parseDuration(value: string | number, what = 'duration'): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new UsageError(`${what}: ${notADuration(value)}`);
  return ms;
}

/** Formats milliseconds as k6 prints durations: "1m30s", "2.5s", "350ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  let out = '';
  if (hours) out += `${hours}h`;
  if (minutes) out += `${minutes}m`;
  if (seconds || !out) out += `${Number(seconds.toFixed(1))}s`;
  return out;
}

/**
 * A duration flag of peakready's own commands (`down --timeout`, `up --ready-timeout`, `scale
 * --sync-period`, ...): k6's duration text ("30s", "1m30s", "500ms"), and a bare number as
 * SECONDS, the unit people type on a command line. (A k6 option keeps k6's reading of a bare
 * number, milliseconds: `run --duration` and script options are k6's, not ours.)
 */
export function parseFlagDuration(value: string, flag: string): number {
  const text = value.trim();
  if (PLAIN.test(text)) return Number(text) * 1000;
  return parseDuration(text, flag);
}

/** `01:05` for 65 s: a run's clock in status lines and plans. */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
