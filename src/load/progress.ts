import type { MetricsAggregator } from './metrics/aggregator.js';
import { formatDuration } from '../util/duration.js';

/** What the drill and the CLI see while a load test runs. */
export interface LoadProgress {
  elapsedMs: number;
  totalMs: number;
  vus: number;
  iterationsPerSecond: number;
  requestsPerSecond: number;
  /** http_req_duration p95 over the run so far, ms */
  p95Ms: number;
  /** http_req_failed rate over the run so far (0..1) */
  errorRate: number;
  /** scenarios running now (with black-friday.js, the phase) */
  phases: string[];
}

/**
 * Turns merged ticks into progress: rates over the last second, one updating line on a TTY,
 * plain lines every 5 s otherwise (CI, --quiet), and the callback for the drill.
 */
export class ProgressMeter {
  private last = { t: 0, iterations: 0, requests: 0 };
  private rates = { it: 0, req: 0 };
  private lastPrint = 0;
  private active = new Set<string>();
  private readonly tty: boolean;

  constructor(
    private readonly aggregator: MetricsAggregator,
    private readonly totalMs: number,
    private readonly quiet: boolean,
    private readonly onProgress?: (p: LoadProgress) => void,
  ) {
    this.tty = Boolean(process.stderr.isTTY) && !quiet && !process.env.CI;
    // a caller that takes the progress (the drill) draws it itself
    this.silent = onProgress !== undefined;
  }

  private readonly silent: boolean;

  update(state: { activeVus: number; running: Set<string> }, startedAt: number): void {
    const now = Date.now();
    const iterations = this.aggregator.view('iterations')?.stat('count') ?? 0;
    const requests = this.aggregator.view('http_reqs')?.stat('count') ?? 0;
    if (now - this.last.t >= 900) {
      const dt = (now - this.last.t) / 1000;
      if (this.last.t) this.rates = { it: (iterations - this.last.iterations) / dt, req: (requests - this.last.requests) / dt };
      this.last = { t: now, iterations, requests };
    }
    const p: LoadProgress = {
      elapsedMs: now - startedAt,
      totalMs: this.totalMs,
      vus: state.activeVus,
      iterationsPerSecond: this.rates.it,
      requestsPerSecond: this.rates.req,
      p95Ms: this.aggregator.view('http_req_duration')?.stat('p(95)') ?? 0,
      errorRate: this.aggregator.view('http_req_failed')?.stat('rate') ?? 0,
      phases: [...state.running],
    };
    this.onProgress?.(p);
    if (this.silent) return;
    const line = formatProgress(p);
    if (this.tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (now - this.lastPrint >= 5000) {
      this.lastPrint = now;
      process.stderr.write(line + '\n');
    }
  }

  /** Scenarios that started or ended since the last call: [name, nowActive]. */
  phaseChanges(running: Set<string>): Array<[string, boolean]> {
    const changes: Array<[string, boolean]> = [];
    for (const name of running) if (!this.active.has(name)) changes.push([name, true]);
    for (const name of this.active) if (!running.has(name)) changes.push([name, false]);
    this.active = new Set(running);
    return changes;
  }

  stop(): void {
    if (this.tty && !this.silent) process.stderr.write('\n');
  }
}

export function formatProgress(p: LoadProgress): string {
  const phase = p.phases.length ? ` [${p.phases.join(',')}]` : '';
  return (
    `running ${formatDuration(p.elapsedMs)}/${formatDuration(p.totalMs)}${phase}  VUs ${p.vus}  ` +
    `${p.iterationsPerSecond.toFixed(1)} it/s  ${p.requestsPerSecond.toFixed(1)} req/s  ` +
    `p95 ${p.p95Ms.toFixed(1)}ms  errors ${(p.errorRate * 100).toFixed(2)}%`
  );
}
