import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from 'cockatiel';

/**
 * The guard around an optional dependency (the gateway's call to recommendations): a concurrency
 * cap (bulkhead, no queue: a full cap fails fast), a circuit breaker that opens after consecutive
 * failures and probes again after `halfOpenAfterMs`, and an aggressive timeout that cancels the
 * call. Every failure is classified so the caller can degrade and count why.
 */

export type DegradeReason = 'timeout' | 'breaker_open' | 'bulkhead_full' | 'error';

export interface OptionalDependencyOptions {
  timeoutMs: number;
  maxConcurrent: number;
  consecutiveFailures: number;
  halfOpenAfterMs: number;
  onStateChange?: (state: 0 | 1 | 2) => void;
}

export interface OptionalDependency {
  execute<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: DegradeReason; error: unknown }>;
  readonly state: 0 | 1 | 2;
}

const STATE_VALUE: Record<CircuitState, 0 | 1 | 2> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 1,
};

export function optionalDependency(options: OptionalDependencyOptions): OptionalDependency {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.consecutiveFailures),
  });
  breaker.onStateChange((state) => options.onStateChange?.(STATE_VALUE[state]));
  const policy = wrap(bulkhead(options.maxConcurrent, 0), breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  return {
    get state() {
      return STATE_VALUE[breaker.state];
    },
    async execute(work) {
      try {
        return { ok: true, value: await policy.execute(({ signal }) => work(signal)) };
      } catch (error) {
        return { ok: false, reason: classify(error), error };
      }
    },
  };
}

/**
 * SEEDED DEFECT `product-unguarded-recommendations` (see src/stack/defects.ts): the same interface
 * with no bulkhead, no breaker and no timeout of its own; the caller waits as long as the call
 * takes (its upstream's generic deadline). A failure still degrades, but only once it comes.
 */
export function unguardedDependency(): OptionalDependency {
  const never = new AbortController().signal;
  return {
    state: 0,
    async execute(work) {
      try {
        return { ok: true, value: await work(never) };
      } catch (error) {
        return { ok: false, reason: classify(error), error };
      }
    },
  };
}

function classify(error: unknown): DegradeReason {
  if (error instanceof BulkheadRejectedError) return 'bulkhead_full';
  if (error instanceof BrokenCircuitError) return 'breaker_open';
  if (error instanceof TaskCancelledError) return 'timeout';
  return 'error';
}
