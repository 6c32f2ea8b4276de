import { outcomeOf } from '../readback/plan.js';
import type { CheckResult, ReadBackEntry, ReadBackSnapshot } from '../run/records.js';

type Detail = CheckResult['details'][number];

/** What the read-back contract's evidence says: the check's details and how many violations. */
export interface Evidence {
  details: Detail[];
  problems: number;
}

/** how many failing ids a detail names */
const SHOWN = 5;

/**
 * The read-back (readback.json) judged: every acknowledged create exists and matches, could be
 * read, had an id, is not one id for several purchases, and every replayed key gave the same id.
 */
export function readBackEvidence(snapshot: ReadBackSnapshot): Evidence {
  const { totals, contract } = snapshot;
  if (!totals.acknowledged) {
    const note = `no acknowledged (2xx) create named "${contract.request}" in the run's requests`;
    return { details: [{ name: 'acknowledged creates read back', status: 'skip', figure: '0 creates', limit: 'all', note }], problems: 0 };
  }
  const by = (outcome: ReturnType<typeof outcomeOf>) => snapshot.creates.filter((e) => outcomeOf(e) === outcome);
  const missing = by('missing');
  const mismatched = by('mismatched');
  const unread = [...by('error'), ...by('notRead')];
  const shared = snapshot.creates.filter((e) => (e.keys ?? 1) > 1);
  const replayDiffers = snapshot.creates.filter((e) => e.replay && !e.replay.same);
  const exist = totals.ids - missing.length - unread.length;
  const details: Detail[] = [
    detail('acknowledged creates exist', missing.length, `${exist}/${totals.ids - unread.length} found`, 'all', missing.map((e) => `${e.id} (${e.status})`), 'missing: '),
    detail('read back with the same fields', mismatched.length, `${mismatched.length} differ`, '0', mismatched.map(fieldsDiffer), ''),
    detail('every create could be read back', unread.length, `${totals.ids - unread.length}/${totals.ids} read`, 'all', unread.map((e) => `${e.id} (${e.status || e.error})`), snapshot.stopped ? `${snapshot.stopped}; ` : ''),
    detail('acknowledged creates carry an id', totals.withoutId, `${totals.withoutId} without`, '0', snapshot.withoutId.map((w) => `at ${new Date(w.t).toISOString()}: ${w.error}`), `no id at ${contract.id}: `),
    detail('one id per purchase', shared.length, `${shared.length} shared`, '0', shared.map((e) => `${e.id} (${e.keys} keys)`), 'ids given to several idempotency keys: '),
    replayDetail(totals.replayed, replayDiffers, contract.idempotencyHeader),
    ...(snapshot.retries ? [retriedDetail(snapshot.retries, contract.idempotencyHeader)] : []),
  ];
  const problems = missing.length + mismatched.length + unread.length + totals.withoutId + shared.length + replayDiffers.length + (snapshot.retries?.splitCount ?? 0);
  return { details, problems };
}

function replayDetail(replayed: number, differs: ReadBackEntry[], header: string | undefined): Detail {
  const name = 'replayed idempotency keys return the same id';
  if (!replayed) {
    const note = header ? 'no create was replayed (none kept replay data)' : 'the contract names no idempotency header';
    return { name, status: 'skip', figure: '0 replayed', limit: 'all same', note };
  }
  const examples = differs.map((e) => `${e.replay!.key}: ${e.replay!.id !== undefined ? `${e.replay!.id} instead of ${e.id}` : e.replay!.error ?? `status ${e.replay!.status}`}`);
  return detail(name, differs.length, `${replayed - differs.length}/${replayed} same`, 'all same', examples, '');
}

/** The load's own retries (one key acknowledged twice or more): each must have answered one id, or "stored once" never met a duplicate. */
function retriedDetail(retries: NonNullable<ReadBackSnapshot['retries']>, header: string | undefined): Detail {
  const name = 'a retried key answers one id';
  if (!retries.keys) {
    const note = header ? 'no idempotency key was acknowledged twice: the load never retried a create, so no duplicate was met' : 'the contract names no idempotency header';
    return { name, status: 'skip', figure: '0 retried', limit: 'one id per key', note };
  }
  const examples = retries.split.map((s) => `${s.key}: ${s.ids.join(', ')}`);
  return detail(name, retries.splitCount, `${retries.keys} keys retried, ${retries.splitCount} with several ids`, 'one id per key', examples, 'keys answered with several ids: ');
}

function fieldsDiffer(e: ReadBackEntry): string {
  return `${e.id} ${(e.mismatched ?? []).map((m) => `${m.field} ${short(m.created)} → ${short(m.readBack)}`).join(', ')}`;
}

function short(value: string): string {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}

/** A detail that fails when `bad` > 0, naming the first few examples. */
export function detail(name: string, bad: number, figure: string, limit: string, examples: string[], prefix: string): Detail {
  const status = bad ? ('fail' as const) : ('pass' as const);
  return { name, status, figure, limit, ...(bad ? { note: prefix + examples.slice(0, SHOWN).join(', ') + (examples.length > SHOWN ? ', …' : '') } : {}) };
}
