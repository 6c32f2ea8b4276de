import type { Budgets } from '../budgets/types.js';
import type { CheckResult, IntegritySnapshot } from '../run/records.js';
import { fromDetails, skipped } from './check-result.js';
import { assertReadable, type RunData } from '../run/run-data.js';

const ID = 'integrity';
const TITLE = 'Data integrity';
/** charge states that took no money: a declined or failed attempt may be retried under the same key */
const NO_MONEY = /declin|fail|refund|void|cancel|error/i;

/**
 * The stored truth (integrity.json) against what clients were told (requests.ndjson): every
 * acknowledged order stored exactly once, at most one charge per idempotency key, stock never
 * negative, never more sold than there was.
 */
export function checkIntegrity(data: RunData, budgets: Budgets): CheckResult {
  if (!budgets.integrity.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  assertReadable(data, 'integrity');
  const snapshot: IntegritySnapshot | undefined = data.integrity;
  if (!snapshot) return skipped(ID, TITLE, 'no integrity.json in the run (a --target run cannot read the stored orders)');
  const { requests } = data;

  const acknowledged = new Set<string>();
  for (const r of requests) {
    const orderId = r.meta?.['order-id'];
    if (orderId && (r.status === 200 || r.status === 201)) acknowledged.add(orderId);
  }
  const storedCount = countBy(snapshot.orders, (o) => o.orderId);
  const lost = [...acknowledged].filter((id) => !storedCount.has(id));
  const duplicated = [...storedCount].filter(([, n]) => n > 1).map(([id]) => id);
  const ordersPerKey = [...countBy(snapshot.orders, (o) => o.idempotencyKey)].filter(([, n]) => n > 1).map(([k]) => k);
  const chargesPerKey = countBy(
    snapshot.charges.filter((c) => !NO_MONEY.test(c.status)),
    (c) => c.idempotencyKey,
  );
  const doubleCharged = [...chargesPerKey].filter(([, n]) => n > 1).map(([k]) => k);
  const negative = snapshot.stock.filter((s) => s.available < 0 || (s.minObserved ?? 0) < 0);
  const oversold = snapshot.stock.filter((s) => s.sold > s.initial);

  // stored but never confirmed to the client (it timed out or saw an error): not a violation, since
  // a retry with the same idempotency key replays it, but worth seeing
  const unacknowledged = [...storedCount.keys()].filter((id) => !acknowledged.has(id)).length;
  const stored = item('acknowledged orders stored', lost.length, `${acknowledged.size - lost.length}/${acknowledged.size} stored`, 'all', lost, 'lost: ');
  if (!lost.length && unacknowledged) Object.assign(stored, { note: `${unacknowledged} more stored without an acknowledgement (the client timed out or saw an error)` });
  const details = [
    stored,
    item('orders stored once', duplicated.length + ordersPerKey.length, `${duplicated.length + ordersPerKey.length} duplicated`, '0', [...duplicated, ...ordersPerKey.map((k) => `key ${k}`)], 'duplicated: '),
    item('one charge per idempotency key', doubleCharged.length, `${doubleCharged.length} charged twice`, '0', doubleCharged, 'keys: '),
    item('stock never negative', negative.length, `min ${Math.min(0, ...snapshot.stock.map((s) => Math.min(s.available, s.minObserved ?? s.available)))}`, '>= 0', negative.map((s) => s.productId), 'products: '),
    item('units sold <= initial stock', oversold.length, `${oversold.length} oversold`, '0', oversold.map((s) => `${s.productId} sold ${s.sold}/${s.initial}`), ''),
  ];
  const problems = lost.length + duplicated.length + ordersPerKey.length + doubleCharged.length + negative.length + oversold.length;
  return fromDetails(ID, TITLE, `${problems} violations, ${acknowledged.size} orders`, '0 violations', details);
}

function item(name: string, bad: number, figure: string, limit: string, examples: string[], prefix: string) {
  const status = bad ? ('fail' as const) : ('pass' as const);
  return { name, status, figure, limit, ...(bad ? { note: prefix + examples.slice(0, 5).join(', ') + (examples.length > 5 ? ', …' : '') } : {}) };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return out;
}
