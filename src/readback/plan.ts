import type { CreateCapture, ReadBackEntry, ReadBackSnapshot, ReadBackTotals, RequestRecord } from '../run/records.js';
import { nameMatcher } from '../run/run-data.js';
import { parseJsonPath, readJsonPath, type JsonPath } from '../util/json-path.js';
import { fieldDigest } from './capture.js';
import type { ReadBackContract } from './contract.js';

/**
 * The read-back's pure parts: which ids to read (from the load's request records), which creates
 * to replay, how a read-back's body compares with the create's response, and the totals.
 */

/** One id to read back, with what the creates that returned it said. */
export interface PlannedRead {
  entry: ReadBackEntry;
  /** the first create's field digests */
  fields: Record<string, string> | undefined;
}

export interface PlannedReplay {
  /** index in `reads` of the id it must return */
  read: number;
  key: string;
  replay: NonNullable<CreateCapture['replay']>;
}

export interface ReadBackPlan {
  acknowledged: number;
  reads: PlannedRead[];
  replays: PlannedReplay[];
  withoutId: ReadBackSnapshot['withoutId'];
  withoutIdCount: number;
  retries: NonNullable<ReadBackSnapshot['retries']>;
}

/** how many creates without an id the snapshot names (the count is always whole) */
const WITHOUT_ID_SHOWN = 20;

/** Plans the read-back of every acknowledged create the contract names, and `replaySample` replays spread over the run. */
export function planReadBack(contract: ReadBackContract, records: Iterable<RequestRecord>, replaySample: number): ReadBackPlan {
  const matches = nameMatcher(contract.request);
  const byId = new Map<string, { index: number; keys: Set<string> }>();
  const plan: ReadBackPlan = { acknowledged: 0, reads: [], replays: [], withoutId: [], withoutIdCount: 0, retries: { keys: 0, split: [], splitCount: 0 } };
  const byKey = new Map<string, { creates: number; ids: Set<string> }>();
  const candidates: Array<{ t: number; id: string; key: string; replay: NonNullable<CreateCapture['replay']> }> = [];
  for (const r of records) {
    const capture = r.capture;
    if (!capture || r.status < 200 || r.status > 299 || !matches(r.name)) continue;
    plan.acknowledged++;
    if (capture.id === undefined) {
      if (plan.withoutIdCount++ < WITHOUT_ID_SHOWN) plan.withoutId.push({ t: r.t, status: r.status, error: capture.error ?? 'no id' });
      continue;
    }
    let seen = byId.get(capture.id);
    if (!seen) {
      seen = { index: plan.reads.length, keys: new Set() };
      byId.set(capture.id, seen);
      plan.reads.push({ entry: { id: capture.id, creates: 0, status: 0 }, fields: capture.fields });
    }
    const entry = plan.reads[seen.index]!.entry;
    entry.creates++;
    if (capture.idempotencyKey !== undefined) {
      seen.keys.add(capture.idempotencyKey);
      const key = byKey.get(capture.idempotencyKey) ?? byKey.set(capture.idempotencyKey, { creates: 0, ids: new Set() }).get(capture.idempotencyKey)!;
      key.creates++;
      key.ids.add(capture.id);
    }
    if (seen.keys.size > 1) entry.keys = seen.keys.size;
    if (capture.replay && capture.idempotencyKey !== undefined) candidates.push({ t: r.t, id: capture.id, key: capture.idempotencyKey, replay: capture.replay });
  }
  plan.retries = retriesOf(byKey);
  plan.replays = spread(candidates.sort((a, b) => a.t - b.t), replaySample).map((c) => ({ read: byId.get(c.id)!.index, key: c.key, replay: c.replay }));
  return plan;
}

/** Keys acknowledged more than once (a retried create), and those that were given more than one id. */
function retriesOf(byKey: ReadonlyMap<string, { creates: number; ids: Set<string> }>): ReadBackPlan['retries'] {
  const retries: ReadBackPlan['retries'] = { keys: 0, split: [], splitCount: 0 };
  for (const [key, { creates, ids }] of byKey) {
    if (creates > 1) retries.keys++;
    if (ids.size < 2) continue;
    if (retries.splitCount++ < WITHOUT_ID_SHOWN) retries.split.push({ key, ids: [...ids] });
  }
  return retries;
}

/** Up to `n` items evenly spread over `items` (first, ..., near last), one per id. */
function spread<T extends { id: string }>(items: readonly T[], n: number): T[] {
  const out: T[] = [];
  const ids = new Set<string>();
  if (n <= 0) return out;
  const step = Math.max(1, items.length / n);
  for (let x = 0; x < items.length && out.length < n; x += step) {
    const item = items[Math.floor(x)]!;
    if (ids.has(item.id)) continue;
    out.push(item);
    ids.add(item.id);
  }
  return out;
}

export interface ContractField {
  field: string;
  path: JsonPath;
}

/** The contract's fields, their paths parsed once. */
export function contractFields(contract: ReadBackContract): ContractField[] {
  return (contract.fields ?? []).map((field) => ({ field, path: parseJsonPath(field) }));
}

/** The fields whose read-back differs from the create's response (a field absent from either differs). */
export function mismatchedFields(fields: readonly ContractField[], created: Record<string, string> | undefined, readBody: unknown): ReadBackEntry['mismatched'] {
  const out: NonNullable<ReadBackEntry['mismatched']> = [];
  for (const { field, path } of fields) {
    const before = created?.[field];
    if (before === undefined) continue; // the create was captured without this field: nothing to compare
    const after = fieldDigest(readJsonPath(readBody, path));
    if (before !== after || before === '(absent)') out.push({ field, created: before, readBack: after });
  }
  return out.length ? out : undefined;
}

/** A read-back's status as the check counts it. */
export function outcomeOf(entry: ReadBackEntry): 'matched' | 'mismatched' | 'missing' | 'error' | 'notRead' {
  if (entry.status >= 200 && entry.status <= 299) return entry.error ? 'error' : entry.mismatched ? 'mismatched' : 'matched';
  if (entry.status === 404 || entry.status === 410) return 'missing';
  return entry.status === 0 && entry.error === NOT_READ ? 'notRead' : 'error';
}

export const NOT_READ = 'not read: the read-back was stopped';

/** The snapshot's totals from its entries, the acknowledged creates and those without an id. */
export function tally(entries: readonly ReadBackEntry[], acknowledged: number, withoutId: number): ReadBackTotals {
  const totals: ReadBackTotals = {
    acknowledged,
    ids: entries.length,
    matched: 0,
    mismatched: 0,
    missing: 0,
    errors: 0,
    notRead: 0,
    withoutId,
    replayed: 0,
    replaySame: 0,
  };
  for (const entry of entries) {
    const outcome = outcomeOf(entry);
    totals[outcome === 'error' ? 'errors' : outcome]++;
    if (entry.replay) {
      totals.replayed++;
      if (entry.replay.same) totals.replaySame++;
    }
  }
  return totals;
}
