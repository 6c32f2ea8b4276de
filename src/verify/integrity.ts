import type { Budgets } from '../budgets/types.js';
import type { CheckResult, IntegritySnapshot } from '../run/records.js';
import { fromDetails, operatorWithout, skipped } from './check-result.js';
import { detail, readBackEvidence, type Evidence } from './integrity-readback.js';
import { sqlEvidence } from './integrity-sql.js';
import { assertReadable, type RunData } from '../run/run-data.js';

const ID = 'integrity';
const TITLE = 'Data integrity';
/** charge states that took no money: a declined or failed attempt may be retried under the same key */
const NO_MONEY = /declin|fail|refund|void|cancel|error/i;

/**
 * Data integrity from two kinds of evidence, whichever the run has. The read-back contract's
 * (readback.json, any shop): every acknowledged create exists through the system's own API with
 * the fields it was created with, and replayed idempotency keys return the same id. The stored
 * truth (integrity.json, the bundled shop's internal endpoints) against what clients were told
 * (requests.ndjson): every acknowledged order stored exactly once, at most one charge per
 * idempotency key, stock never negative, never more sold than there was. The SQL invariants'
 * (sql-checks.json, the game-day file's `checks.integrity.sql`): each query returned no rows.
 */
export function checkIntegrity(data: RunData, budgets: Budgets): CheckResult {
  if (!budgets.integrity.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  assertReadable(data, 'readback');
  assertReadable(data, 'integrity');
  assertReadable(data, 'sqlChecks');
  const { readback, integrity, sqlChecks } = data;
  if (!readback && !integrity && !sqlChecks) return skipped(ID, TITLE, operatorWithout(data, 'request captures to read back') ?? whyNoEvidence(data));
  const read = readback ? readBackEvidence(readback) : undefined;
  const stored = integrity ? storedEvidence(integrity, data) : undefined;
  const sql = sqlChecks ? sqlEvidence(sqlChecks) : undefined;
  const details = [...(read?.details ?? []), ...(stored?.details ?? []), ...(sql?.details ?? [])];
  const problems = (read?.problems ?? 0) + (stored?.problems ?? 0) + (sql?.problems ?? 0);
  const counted = readback ? `${readback.totals.acknowledged} creates` : stored ? `${stored.acknowledged} orders` : `${sqlChecks!.checks.length} SQL checks`;
  // a database that died during the run is said where every reader looks, not only in a detail
  const crashes = data.timeline.filter((e) => e.type === 'database' && e.state === 'crashed').length;
  const database = crashes ? ` (database crashed ${crashes}×)` : '';
  return fromDetails(ID, TITLE, `${problems} violations, ${counted}${database}`, '0 violations', details);
}

/** Why a run has no integrity evidence at all, from what it recorded: never a guess at its kind. */
function whyNoEvidence(data: RunData): string {
  if (data.interrupted) return 'the run was interrupted before the stored data was read back';
  if (data.config?.target) return 'a --target run without a read-back contract (checks.integrity.readBack) or SQL checks has no integrity evidence: the stored orders of a system that is not the bundled shop can only be read through them';
  return 'no readback.json, integrity.json or sql-checks.json in the run: the drill recorded no integrity evidence (no read-back contract or SQL checks, and no stored data read)';
}

/** The stack's database died during the run: when, and whether it came back (timeline `database` events). */
function databaseHistory(timeline: RunData['timeline']): string | undefined {
  const events = timeline.filter((e): e is Extract<RunData['timeline'][number], { type: 'database' }> => e.type === 'database');
  if (!events.length) return undefined;
  return events.map((e) => `${e.state} at ${new Date(e.t).toISOString().slice(11, 23)} (${e.detail})`).join('; ');
}

/** The bundled shop's stored truth judged against the `x-peakready-order-id` its clients were told. */
function storedEvidence(snapshot: IntegritySnapshot, data: Pick<RunData, 'requests' | 'timeline'>): Evidence & { acknowledged: number } {
  const { requests } = data;
  const database = databaseHistory(data.timeline);
  const acknowledged = new Set<string>();
  for (const r of requests) {
    const orderId = r.meta?.['order-id'];
    if (orderId && (r.status === 200 || r.status === 201)) acknowledged.add(orderId);
  }
  if (snapshot.unreadable !== undefined) {
    // what the clients were told cannot be confirmed: the system could not show its own data
    const note = `could not read the stored orders: ${snapshot.unreadable}${database ? `; the database ${database}` : ''}`;
    return { details: [{ name: 'stored orders readable', status: 'fail', figure: 'unreadable', limit: 'readable', note }], problems: 1, acknowledged: acknowledged.size };
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
  const stored = detail('acknowledged orders stored', lost.length, `${acknowledged.size - lost.length}/${acknowledged.size} stored`, 'all', lost, 'lost: ');
  if (!lost.length && unacknowledged) Object.assign(stored, { note: `${unacknowledged} more stored without an acknowledgement (the client timed out or saw an error)` });
  if (database) Object.assign(stored, { note: [stored.note, `the database ${database}`].filter(Boolean).join('; ') });
  const details = [
    stored,
    detail('orders stored once', duplicated.length + ordersPerKey.length, `${duplicated.length + ordersPerKey.length} duplicated`, '0', [...duplicated, ...ordersPerKey.map((k) => `key ${k}`)], 'duplicated: '),
    detail('one charge per idempotency key', doubleCharged.length, `${doubleCharged.length} charged twice`, '0', doubleCharged, 'keys: '),
    detail('stock never negative', negative.length, `min ${Math.min(0, ...snapshot.stock.map((s) => Math.min(s.available, s.minObserved ?? s.available)))}`, '>= 0', negative.map((s) => s.productId), 'products: '),
    detail('units sold <= initial stock', oversold.length, `${oversold.length} oversold`, '0', oversold.map((s) => `${s.productId} sold ${s.sold}/${s.initial}`), ''),
  ];
  const problems = lost.length + duplicated.length + ordersPerKey.length + doubleCharged.length + negative.length + oversold.length;
  return { details, problems, acknowledged: acknowledged.size };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return out;
}
