/**
 * Service configuration comes only from the environment (the replica contract in
 * src/stack/contract.ts). Every reader names the variable and the fix when a value is wrong, so a
 * misconfigured replica fails at start with one clear line instead of misbehaving under load.
 */

export class ConfigurationError extends Error {}

export function envString(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigurationError(`${name} is not set; the supervisor (or the test launcher) must pass it`);
}

export function envNumber(name: string, fallback: number, bounds: { min?: number; max?: number; integer?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new ConfigurationError(`${name}="${raw}" is not ${kind} between ${min} and ${max}; fix or unset it`);
  }
  return value;
}

export function envBool(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigurationError(`${name}="${process.env[name]}" is not a boolean; write true or false`);
}

/** The replica identity every service logs and labels its metrics with. */
export const identity = {
  service: process.env.SERVICE_NAME ?? process.env.OTEL_SERVICE_NAME ?? 'unknown',
  replica: process.env.REPLICA_ID ?? `${process.env.SERVICE_NAME ?? 'unknown'}-${process.pid}`,
};
