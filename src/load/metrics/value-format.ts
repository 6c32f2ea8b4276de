import type { MetricContains } from './types.js';

/**
 * How the end-of-test text shows values, close to k6's: durations in the largest fitting unit
 * with two decimals (`44.97ms`, `61.79µs`, `127ns`, `1.34s`, `1m30.25s`), bytes in SI units with
 * no decimal from 10 up (`372 MB`, `2.4 MB`), plain numbers with up to six decimals.
 */
export function formatValue(value: number, contains: MetricContains, timeUnit = ''): string {
  if (contains === 'time') return formatTime(value, timeUnit);
  if (contains === 'data') return formatBytes(value);
  return formatNumber(value);
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

const TIME_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function formatTime(ms: number, unit = ''): string {
  const fixed = TIME_UNITS[unit];
  if (fixed !== undefined) return `${trim(ms / fixed)}${unit === 'us' ? 'µs' : unit}`;
  const abs = Math.abs(ms);
  if (abs === 0) return '0s';
  if (abs < 0.001) return `${Math.round(ms * 1e6)}ns`;
  if (abs < 1) return `${trim(ms * 1000)}µs`;
  if (abs < 1000) return `${trim(ms)}ms`;
  if (abs < 60_000) return `${trim(ms / 1000)}s`;
  const sign = ms < 0 ? '-' : '';
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = (abs % 60_000) / 1000;
  return `${sign}${hours ? `${hours}h` : ''}${minutes}m${trim(seconds)}s`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 10) return `${Math.round(bytes)} B`;
  let exponent = Math.min(Math.floor(Math.log10(Math.abs(bytes)) / 3), BYTE_UNITS.length - 1);
  let scaled = bytes / 1000 ** exponent;
  if (Math.abs(Number(scaled.toFixed(scaled < 10 ? 1 : 0))) >= 1000 && exponent < BYTE_UNITS.length - 1) {
    exponent++;
    scaled = bytes / 1000 ** exponent;
  }
  return `${scaled.toFixed(Math.abs(scaled) < 10 ? 1 : 0)} ${BYTE_UNITS[exponent]}`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(2)));
}
