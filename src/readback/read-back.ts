import { UsageError } from '../errors.js';
import type { ReadBackSnapshot, RequestRecord } from '../run/records.js';
import { realClock, type Clock } from '../util/clock.js';
import { parseJsonPath, readJsonPath, type JsonPath } from '../util/json-path.js';
import { assertLoopbackTarget, isLoopbackHost } from '../util/loopback.js';
import { idOf, parseBody } from './capture.js';
import type { ReadBackContract } from './contract.js';
import { ReadBackHttp, type Answer } from './http.js';
import { runPaced } from './pacer.js';
import { contractFields, mismatchedFields, NOT_READ, type ContractField, planReadBack, tally, type PlannedRead, type PlannedReplay, type ReadBackPlan } from './plan.js';

export interface ReadBackOptions {
  /** where `readUrl` starts when it is a path: the system's base URL */
  baseUrl: string;
  /** requests in flight at most (1-50, default 16) */
  concurrency?: number;
  /** request starts per second at most (default: no limit beyond the concurrency) */
  ratePerSecond?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** after every request */
  onProgress?: (progress: ReadBackProgress) => void;
  /** how many creates to send again with their idempotency key (default 20; 0: none) */
  replaySample?: number;
  /** sent with every read-back and replay (credentials are never written to the run directory) */
  headers?: Record<string, string>;
  /** read back outside loopback (the user's --allow-remote) */
  allowRemote?: boolean;
  clock?: Clock;
}

export interface ReadBackProgress {
  done: number;
  total: number;
}

export const MAX_READBACK_CONCURRENCY = 50;
export const DEFAULT_READBACK_CONCURRENCY = 16;
export const DEFAULT_REPLAY_SAMPLE = 20;

/**
 * Reads every acknowledged create of the load (the records' captures) back through the system's
 * API, compares the contract's fields, and replays a sample of idempotency keys: the evidence for
 * the integrity check, as the caller writes it to readback.json. Bounded in concurrency and rate;
 * a failing request is evidence in the snapshot, never a throw.
 */
export async function readBack(contract: ReadBackContract, records: Iterable<RequestRecord>, options: ReadBackOptions): Promise<ReadBackSnapshot> {
  const concurrency = checkedConcurrency(options.concurrency);
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) throw new UsageError(`read-back ratePerSecond ${options.ratePerSecond} must be a positive number (or left out)`);
  const base = assertLoopbackTarget(options.baseUrl, options.allowRemote ?? false, 'read-back base URL');
  if (!contract.readUrl.includes('{id}')) throw new UsageError(`read-back readUrl "${contract.readUrl}" must contain {id}, e.g. /api/orders/{id}`);
  if (/^https?:\/\//i.test(contract.readUrl)) assertLoopbackTarget(readUrlOf(contract.readUrl, '', 'id'), options.allowRemote ?? false, 'read-back readUrl');
  const started = Date.now();
  const plan = planReadBack(contract, records, options.replaySample ?? DEFAULT_REPLAY_SAMPLE);
  const http = new ReadBackHttp(concurrency, options.timeoutMs ?? 10_000, options.signal);
  const reader = new Reader(contract, plan, http, base.toString(), options);
  const total = plan.reads.length + plan.replays.length;
  let done = 0;
  let startedJobs = 0;
  try {
    const job = async (i: number) => {
      await (i < plan.reads.length ? reader.read(plan.reads[i]!) : reader.replay(plan.replays[i - plan.reads.length]!));
      options.onProgress?.({ done: ++done, total });
    };
    const pacing = { concurrency, clock: options.clock ?? realClock, ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    startedJobs = await runPaced(total, job, pacing);
  } finally {
    await http.close();
  }
  for (const read of plan.reads.slice(startedJobs)) Object.assign(read.entry, { status: 0, error: NOT_READ });
  const creates = plan.reads.map((r) => r.entry);
  return {
    t: started,
    durationMs: Date.now() - started,
    baseUrl: options.baseUrl,
    contract: { request: contract.request, id: contract.id, readUrl: contract.readUrl, fields: contract.fields ?? [], ...(contract.idempotencyHeader ? { idempotencyHeader: contract.idempotencyHeader } : {}) },
    creates,
    withoutId: plan.withoutId,
    totals: tally(creates, plan.acknowledged, plan.withoutIdCount),
    retries: plan.retries,
    ...(startedJobs < total ? { stopped: `stopped after ${startedJobs} of ${total} requests: ${String(options.signal?.reason ?? 'aborted')}` } : {}),
  };
}

function checkedConcurrency(concurrency = DEFAULT_READBACK_CONCURRENCY): number {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_READBACK_CONCURRENCY) {
    throw new UsageError(`read-back concurrency ${concurrency} must be a whole number from 1 to ${MAX_READBACK_CONCURRENCY}: a read-back must never become a second load test`);
  }
  return concurrency;
}

/** The two kinds of read-back request, each filling its entry of the plan. */
class Reader {
  private readonly idPath: JsonPath;
  private readonly fields: ContractField[];

  constructor(
    private readonly contract: ReadBackContract,
    private readonly plan: ReadBackPlan,
    private readonly http: ReadBackHttp,
    private readonly base: string,
    private readonly options: ReadBackOptions,
  ) {
    this.idPath = parseJsonPath(contract.id);
    this.fields = contractFields(contract);
  }

  async read(read: PlannedRead): Promise<void> {
    const url = readUrlOf(this.contract.readUrl, this.base, read.entry.id);
    const answer = await this.http.send({ method: 'GET', url, headers: { accept: 'application/json', ...this.options.headers } });
    const entry = read.entry;
    entry.status = answer.status;
    if (answer.error) entry.error = answer.status === 0 && this.options.signal?.aborted ? NOT_READ : answer.error;
    if (!isOk(answer)) return;
    const parsed = parseBody(answer.body ?? '');
    if ('error' in parsed) entry.error = `read-back ${parsed.error}`;
    else {
      const mismatched = mismatchedFields(this.fields, read.fields, parsed.value);
      if (mismatched) entry.mismatched = mismatched;
    }
  }

  async replay(planned: PlannedReplay): Promise<void> {
    const entry = this.plan.reads[planned.read]!.entry;
    const { replay, key } = planned;
    const answer: Answer = this.isAllowed(replay.url)
      ? await this.http.send({ method: replay.method, url: replay.url, headers: { ...replay.headers, ...this.options.headers }, ...(replay.body !== undefined ? { body: replay.body } : {}) })
      : { status: 0, error: `refused: ${replay.url} is not a loopback address (--allow-remote)` };
    const parsed = isOk(answer) ? parseBody(answer.body ?? '') : undefined;
    const id = parsed && 'value' in parsed ? idOf(readJsonPath(parsed.value, this.idPath)) : undefined;
    const error = answer.error ?? (!isOk(answer) ? `answered ${answer.status}` : id === undefined ? `no id at ${this.contract.id} in the replay's response` : undefined);
    entry.replay = { key, status: answer.status, ...(id !== undefined ? { id } : {}), same: id === entry.id, ...(error ? { error } : {}) };
  }

  private isAllowed(url: string): boolean {
    if (this.options.allowRemote) return true;
    try {
      return isLoopbackHost(new URL(url).hostname);
    } catch {
      return false;
    }
  }
}

function isOk(answer: Answer): boolean {
  return answer.status >= 200 && answer.status <= 299 && !answer.error;
}

/** `{id}` in the contract's URL, from the base URL (keeping its path) unless the URL is absolute. */
export function readUrlOf(template: string, base: string, id: string): string {
  const path = template.replaceAll('{id}', encodeURIComponent(id));
  if (/^https?:\/\//i.test(path)) return path;
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}
