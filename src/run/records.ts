/**
 * The records a run directory holds, one type per file. Producers (stack, load engine, fault
 * runner, autoscaler, OTLP receiver, scraper) append them while the run goes; checks and reports
 * read them afterwards. Times are Unix epoch milliseconds. Adding a field is fine; renaming or
 * removing one breaks `peakready report` on older runs, so don't.
 */

/** timeline.ndjson: what happened, in order. */
export type TimelineEvent =
  | { t: number; type: 'run'; state: 'start' | 'end'; command: string }
  | { t: number; type: 'phase'; state: 'start' | 'end'; phase: string }
  | { t: number; type: 'stack'; state: 'starting' | 'ready' | 'stopping' | 'stopped'; detail?: string }
  | {
      t: number;
      type: 'fault';
      state: 'on' | 'off';
      /** experiment title or file */
      experiment: string;
      proxy: string;
      /** 'toxic' for a toxic, 'disable' for a disabled proxy */
      kind: 'toxic' | 'disable';
      toxic?: { name: string; type: string; stream: string; toxicity: number; attributes: Record<string, number> };
    }
  | {
      t: number;
      type: 'scale-decision';
      service: string;
      current: number;
      desired: number;
      /** average utilisation of the metric, percent of request (e.g. 83.4) */
      utilization: number | null;
      target: number;
      /** which rule set the final number: 'tolerance', 'policy:Pods', 'stabilization', 'max', ... */
      limitedBy: string;
      reason: string;
    }
  | { t: number; type: 'replicas'; service: string; from: number; to: number; ready: number }
  | { t: number; type: 'replica'; service: string; replica: string; pid: number; state: 'started' | 'ready' | 'draining' | 'stopped' | 'crashed' }
  | { t: number; type: 'probe'; experiment: string; probe: string; stage: 'before' | 'during' | 'after'; ok: boolean; value: number | string | null; detail?: string }
  | { t: number; type: 'note'; level: 'info' | 'warn' | 'error'; message: string }
  | {
      t: number;
      /**
       * The run stopped before its end: a signal (SIGINT, SIGTERM, SIGHUP) or an error. The judge
       * reads nothing measured after `t`, and the verdict is INTERRUPTED.
       */
      type: 'interrupted';
      /** 'SIGINT', 'SIGTERM', 'SIGHUP' or 'error' */
      cause: string;
      /** what the drill was doing: 'starting the stack', 'load', 'reading the evidence' */
      step: string;
      /** the load's phases under way at `t` (none before the load or after it) */
      phases?: string[];
      /** ms since the load started, when it had */
      loadElapsedMs?: number;
      /** the error, for cause 'error' */
      detail?: string;
    }
  | {
      t: number;
      /**
       * The stack's own database process (embedded PGlite): it died unasked (`crashed`), was
       * started again on the same data (`restarted`, once it accepts connections), or could not be
       * (`lost`: the rest of the run has no database).
       */
      type: 'database';
      state: 'crashed' | 'restarted' | 'lost';
      pid: number;
      detail: string;
    }
  | {
      t: number;
      /** a Kubernetes object peakready created for the run (the k6-operator's ConfigMap and TestRun), and its deletion */
      type: 'k8s-object';
      action: 'created' | 'deleted' | 'delete-failed';
      /** e.g. ConfigMap, TestRun */
      kind: string;
      name: string;
      namespace: string;
      /** the API server */
      server: string;
      detail?: string;
    };

export type TimelineEventType = TimelineEvent['type'];

/**
 * requests.ndjson: one line per HTTP request the load engine sent, so that checks can compute
 * any window or phase exactly (budgets `over 1m`, isolation during the outage, tracing
 * completeness by trace id).
 */
export interface RequestRecord {
  /** request start, epoch ms */
  t: number;
  scenario: string;
  /** k6 `name` tag (defaults to the URL) */
  name: string;
  method: string;
  /** 0 when no response (connection error, timeout) */
  status: number;
  /** http_req_duration, ms */
  duration: number;
  /** k6's http_req_failed (per responseCallback / expectedStatuses) */
  failed: boolean;
  /** W3C trace id the engine put in `traceparent`, 32 hex chars */
  traceId?: string;
  /** the traceparent's parent-id (the client's span id, 16 hex chars): the entry span's parent */
  spanId?: string;
  /** arrival-rate scenarios: latency from the iteration's intended start (coordinated omission), ms */
  intendedLatency?: number;
  error?: string;
  /**
   * Response headers whose name starts with `x-peakready-`, lower-cased, prefix removed: the
   * reference stack uses them to tell checks what a client was told (`order-id`, `degraded`,
   * `idempotent-replay`). Absent when the response had none.
   */
  meta?: Record<string, string>;
  /** a create named by a read-back contract, answered 2xx: what the read-back needs of it */
  capture?: CreateCapture;
}

/**
 * What the load engine keeps of an acknowledged create (a 2xx response to a request the
 * read-back contract names), so that the read-back after the load can find it again.
 */
export interface CreateCapture {
  /** the created thing's id, at the contract's JSON path in the response body */
  id?: string;
  /** why there is no id (the body was not JSON, or had nothing at the path) */
  error?: string;
  /**
   * The contract's fields in the create's response: canonical JSON (keys sorted), or
   * `sha256:<hex>` of it when long, so a record stays small; `(absent)` when not there.
   */
  fields?: Record<string, string>;
  /** the idempotency header the request carried */
  idempotencyKey?: string;
  /** only for a bounded sample of creates: what it takes to send the same create again */
  replay?: { method: string; url: string; headers: Record<string, string>; body?: string };
}

/** metrics.ndjson: samples gathered during the run. */
export type MetricSample =
  | {
      t: number;
      source: 'scrape';
      service: string;
      replica: string;
      /** Prometheus metric family and sample name, e.g. http_server_request_duration_seconds_count */
      name: string;
      labels: Record<string, string>;
      value: number;
    }
  | { t: number; source: 'cpu'; service: string; replica: string; pid: number; cpuSeconds: number; utilization: number; requestMillicores: number }
  | { t: number; source: 'load'; metric: string; value: number; tags?: Record<string, string> }
  | RigSample;

/**
 * The test rig itself, once a second (src/telemetry/rig/): how busy the host's cores were over the
 * interval (steal included: time a VM wanted but did not get) and how late the drill's event loop
 * ran. A starved rig delays requests by itself; the judge needs to know when.
 */
export interface RigSample {
  t: number;
  source: 'rig';
  /** the interval this sample covers, ms */
  intervalMs: number;
  cores: number;
  /** share of all cores' time busy (user, system, irq, steal) over the interval; absent where /proc/stat is not */
  cpuBusy?: number;
  /** share of all cores' time stolen by the hypervisor */
  cpuSteal?: number;
  /** event-loop delay of the drill's process over the interval, ms */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** traces.ndjson: one line per received span, ids in lowercase hex. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED' */
  kind: string;
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** 'UNSET' | 'OK' | 'ERROR' */
  status: string;
  statusMessage?: string;
  attributes: Record<string, string | number | boolean | string[] | number[] | boolean[]>;
  resource?: Record<string, string | number | boolean>;
}

/**
 * A check's outcome. `inconclusive`: the check could not tell, because the test rig itself was
 * starved while it judged (src/verify/rig.ts): neither a pass nor the system's failure.
 */
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'inconclusive';

export interface CheckDetail {
  name: string;
  status: CheckStatus;
  figure: string;
  limit: string;
  note?: string;
  /**
   * Details of several subjects that reports may fold under this one label (e.g. the services whose
   * utilisation never rose above their target: their rows say nothing happened)
   */
  group?: string;
  /**
   * A latency limit missed: when (epoch ms) the judged requests ran and by how much the figure
   * exceeded the limit, so the judge can ask whether the rig's own delay could account for it.
   * `medianOverMs`, for a tail figure (a percentile above the median, or the maximum): by how much
   * the same requests' median exceeded the limit (<= 0: the middle held, the miss is in the tail).
   */
  timing?: { start: number; end: number; overMs: number; medianOverMs?: number };
}

/** checks.json: what each check concluded, with its evidence. */
export interface CheckResult {
  /** stable id: 'budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup' */
  id: string;
  title: string;
  status: CheckStatus;
  /** the headline figure and its limit, as printed in the verdict table */
  figure: string;
  limit: string;
  /** one line per sub-result, for the reports */
  details: CheckDetail[];
  /** why skipped, or the first reason it failed */
  reason?: string;
}

/**
 * integrity.json: the stored truth at the end of a run, read from the stack's internal endpoints
 * (orders `GET /internal/orders`, payments `GET /internal/charges`, inventory `GET /internal/stock`).
 */
export interface IntegritySnapshot {
  t: number;
  orders: Array<{ orderId: string; idempotencyKey: string; chargeId: string | null; status: string; items: Array<{ productId: string; quantity: number }> }>;
  charges: Array<{ chargeId: string; idempotencyKey: string; amountCents: number; status: string }>;
  stock: Array<{ productId: string; initial: number; available: number; sold: number; minObserved?: number }>;
  /** why the stored data could not be read (orders, charges and stock are empty then), e.g. the database was lost */
  unreadable?: string;
}

/**
 * readback.json: every acknowledged create read back through the system's own API after the
 * load (the read-back contract), and a sample of idempotency keys replayed.
 */
export interface ReadBackSnapshot {
  /** when the read-back started, epoch ms */
  t: number;
  durationMs: number;
  baseUrl: string;
  contract: { request: string; id: string; readUrl: string; fields: string[]; idempotencyHeader?: string };
  /** one entry per distinct id acknowledged, in the order the creates were acknowledged */
  creates: ReadBackEntry[];
  /** acknowledged creates whose response had no id (the first few) */
  withoutId: Array<{ t: number; status: number; error: string }>;
  totals: ReadBackTotals;
  /** why it stopped before reading everything back (interrupted) */
  stopped?: string;
  /**
   * Idempotency keys acknowledged more than once during the load (a client's retry of a create):
   * how many, and those answered with more than one id (the first few; `splitCount` all of them).
   * Absent in runs read back before it was kept.
   */
  retries?: { keys: number; split: Array<{ key: string; ids: string[] }>; splitCount: number };
}

/**
 * sql-checks.json: the game-day file's SQL invariants (`checks.integrity.sql`), each run after the
 * load in its own read-only transaction against the system's database; each must return no rows.
 */
export interface SqlChecksSnapshot {
  /** when the queries started, epoch ms */
  t: number;
  durationMs: number;
  /** the database, password redacted; absent when there was none to ask */
  database?: string;
  /** embedded PGlite (the bundled shop's default) or a PostgreSQL server */
  engine?: 'pglite' | 'postgres';
  /** why no query ran at all (no database URL): the check shows it as a skip */
  skipped?: string;
  checks: SqlCheckOutcome[];
}

export interface SqlCheckOutcome {
  name: string;
  query: string;
  /** 'clean': no rows; 'rows': the invariant is broken; 'error': the query could not run */
  outcome: 'clean' | 'rows' | 'error';
  /** rows returned (counted up to a bound: `more` says there were more) */
  rowCount: number;
  more?: boolean;
  /** the first offending rows, as the database returned them */
  rows: Array<Record<string, unknown>>;
  /** the database's message (or the connection's) when the query could not run */
  error?: string;
  /** PostgreSQL's SQLSTATE, e.g. 25006 (read-only transaction), 42601 (syntax), 57014 (timeout) */
  code?: string;
  durationMs: number;
}

export interface ReadBackEntry {
  id: string;
  /** acknowledged creates that returned this id */
  creates: number;
  /** distinct idempotency keys among them, when more than one: several purchases got one id */
  keys?: number;
  /** the read-back's HTTP status; 0 when there was no response (error says why) or it was not read */
  status: number;
  error?: string;
  /** fields whose read-back differs from the create's response */
  mismatched?: Array<{ field: string; created: string; readBack: string }>;
  /** the create sent again with the same idempotency key (sampled) */
  replay?: { key: string; status: number; id?: string; same: boolean; error?: string };
}

export interface ReadBackTotals {
  /** 2xx creates the contract names */
  acknowledged: number;
  /** distinct ids among them */
  ids: number;
  /** read back 2xx with every field matching */
  matched: number;
  /** read back 2xx with a field differing */
  mismatched: number;
  /** 404 or 410: the system does not know it */
  missing: number;
  /** no answer, or an answer that is neither 2xx nor missing */
  errors: number;
  /** not read (the read-back was stopped) */
  notRead: number;
  withoutId: number;
  replayed: number;
  replaySame: number;
}

/** cleanup.json: what was still there after the stack and faults were stopped (all empty = clean). */
export interface CleanupSnapshot {
  t: number;
  processes: Array<{ pid: number; name: string }>;
  ports: Array<{ port: number; owner: string }>;
  toxics: Array<{ proxy: string; toxic: string }>;
  disabledProxies: string[];
  /** Kubernetes objects the run created and did not delete (absent: it created none) */
  kubernetes?: Array<{ kind: string; name: string; namespace: string }>;
}
