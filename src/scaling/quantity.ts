/**
 * Kubernetes resource quantities ("250m", "1.5", "2k", "512Mi") to milli-units, the integer unit
 * the HPA controller computes in (a CPU of "1" is 1000 millicores).
 */
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const QUANTITY = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Milli-units of a quantity, or undefined when the text is not a quantity. */
export function parseQuantityMilli(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SUFFIX[match[2] ?? '']! * 1000);
}
