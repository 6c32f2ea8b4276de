import { didYouMean, UsageError } from '../errors.js';
import type { ServiceName, StackDefinition } from './definition.js';

/**
 * Seeded defects of the bundled shop: realistic bugs, each switched on by configuration (as the
 * OpenTelemetry Demo's feature flags inject failures), each caught by one check. The services
 * read the active names from `PEAKREADY_DEFECTS` (comma-separated; the supervisor passes it to
 * every replica); a defect that changes the stack's wiring or its autoscaling does so through
 * `withDefects` on the definition; `leave-toxic` lives in the drill's fault runner, not in a
 * service. Every defect is off unless named.
 */

export const DEFECTS_ENV = 'PEAKREADY_DEFECTS';

export const DEFECT_NAMES = [
  'checkout-double-charge',
  'inventory-oversell',
  'orders-ack-before-commit',
  'product-unguarded-recommendations',
  'checkout-calls-recommendations',
  'trace-context-dropped',
  'no-scale',
  'leave-toxic',
] as const;
export type DefectName = (typeof DEFECT_NAMES)[number];

export interface Defect {
  name: DefectName;
  /** the bug, in one sentence */
  bug: string;
  /** what a user would see in production */
  symptom: string;
  /** the check (src/verify) that exists to catch it */
  check: 'integrity' | 'isolation' | 'budgets' | 'tracing' | 'scale-out' | 'cleanup';
  /** what that check sees */
  evidence: string;
  /** the services that read the defect from PEAKREADY_DEFECTS (none: it acts elsewhere) */
  services: readonly ServiceName[];
}

export const DEFECTS: Readonly<Record<DefectName, Defect>> = {
  'checkout-double-charge': {
    name: 'checkout-double-charge',
    bug: 'the payments hop lost its idempotency: a charge is not looked up by key, a provider call slower than the mean is retried as a new charge, and the unique key on charges is gone',
    symptom: 'customers see two card charges for one order (chargebacks, refunds by hand)',
    check: 'integrity',
    evidence: '"one charge per idempotency key": keys with two captured charges',
    services: ['payments'],
  },
  'inventory-oversell': {
    name: 'inventory-oversell',
    bug: 'stock is taken by read-then-write instead of the conditional update: the reservation only reads that enough is available, and commit (after the payment) takes the units with an unconditional available = available - n; no CHECK (available >= 0) either',
    symptom: 'a flash sale confirms more orders than there are units; some customers are told later that their order cannot ship',
    check: 'integrity',
    evidence: '"units sold <= initial stock" and "stock never negative": a doorbuster sold beyond its stock',
    services: ['inventory'],
  },
  'orders-ack-before-commit': {
    name: 'orders-ack-before-commit',
    bug: 'orders acknowledges an order before its write is durable (a write-behind queue of 4) and drops writes when the queue is full',
    symptom: 'under load customers hold an order id that support cannot find ("order not found")',
    check: 'integrity',
    evidence: '"acknowledged orders stored": order ids the clients were given that are not stored (and read-back 404s)',
    services: ['orders'],
  },
  'product-unguarded-recommendations': {
    name: 'product-unguarded-recommendations',
    bug: 'the product page waits on recommendations with no bulkhead, no circuit breaker and only the generic 5 s deadline',
    symptom: 'when recommendations slows down or hangs, product pages take seconds instead of answering degraded',
    check: 'isolation',
    evidence: 'product page p95 during the recommendations outage far above the baseline (and the product latency budgets fail)',
    services: ['gateway'],
  },
  'checkout-calls-recommendations': {
    name: 'checkout-calls-recommendations',
    bug: 'checkout gained a synchronous call to recommendations (cross-sell on the confirmation) and fails when it fails',
    symptom: 'a recommendations outage stops sales: checkouts time out or answer 502',
    check: 'isolation',
    evidence: 'checkout success rate and p95 during the recommendations outage against the baseline',
    services: ['checkout'],
  },
  'trace-context-dropped': {
    name: 'trace-context-dropped',
    bug: 'checkout calls payments without sending traceparent, so payments starts a new trace',
    symptom: 'a slow or failed payment cannot be followed from the checkout that caused it',
    check: 'tracing',
    evidence: 'checkout traces without a payments span (incomplete traces, the checkout trace rule fails); payments spans with no parent',
    services: ['checkout'],
  },
  'no-scale': {
    name: 'no-scale',
    bug: 'catalog, the CPU-bound workload, has no CPU request in the stack definition, so its autoscaler cannot compute utilisation and never adds a replica',
    symptom: 'under a surge the catalog saturates its one replica: listings slow down and time out while the HPA shows <unknown>',
    check: 'scale-out',
    evidence: 'scale-decision events for catalog that keep 1 replica ("missing request for cpu"); no reaction to the surge',
    services: [],
  },
  'leave-toxic': {
    name: 'leave-toxic',
    bug: "the drill's chaos runner skips the rollback of a toxic its experiment added, so the fault outlives the experiment",
    symptom: 'after a game day the edge stays broken (a slow or failing dependency nobody is testing any more)',
    check: 'cleanup',
    evidence: 'cleanup.json lists the toxic left on its proxy',
    services: [],
  },
};

export function isDefectName(name: string): name is DefectName {
  return (DEFECT_NAMES as readonly string[]).includes(name);
}

/** Names as the user wrote them (flags, the game-day file) -> defects, refusing unknown ones with a guess and the list. */
export function parseDefects(names: Iterable<string>, where = '--defect'): DefectName[] {
  const out: DefectName[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!isDefectName(name)) {
      const guess = didYouMean(name, DEFECT_NAMES);
      throw new UsageError(`${where}: "${name}" is not a seeded defect; ${guess ? `did you mean "${guess}"? ` : ''}use one of ${DEFECT_NAMES.join(', ')}`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** `PEAKREADY_DEFECTS`'s value: the active defects, comma-separated ('' = none). */
export function defectsEnvValue(defects: readonly DefectName[]): string {
  return defects.join(',');
}

/**
 * The stack as the active defects wire and size it: `checkout-calls-recommendations` adds the
 * checkout -> recommendations edge (so checkout gets RECOMMENDATIONS_URL, through the same fault
 * proxy as the gateway's calls), `no-scale` removes catalog's CPU request. Without those, the
 * definition itself is returned.
 */
export function withDefects(def: StackDefinition, defects: readonly DefectName[]): StackDefinition {
  if (!defects.includes('checkout-calls-recommendations') && !defects.includes('no-scale')) return def;
  const services = def.services.map((s) => {
    if (s.name === 'checkout' && defects.includes('checkout-calls-recommendations') && !s.dependsOn.includes('recommendations')) {
      return { ...s, dependsOn: [...s.dependsOn, 'recommendations' as const] };
    }
    if (s.name === 'catalog' && defects.includes('no-scale')) {
      return { ...s, resources: { ...s.resources, requests: { ...s.resources.requests, cpuMillicores: 0 } } };
    }
    return s;
  });
  return { ...def, services };
}
