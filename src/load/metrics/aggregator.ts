import { builtinMetrics } from './builtin.js';
import { newMetricState, type MetricState, type StateData } from './metric-state.js';
import { parseMetricSelector, tagsKey } from './threshold-parser.js';
import type {
  AggregateSnapshot,
  MetricDefinition,
  MetricView,
  Sample,
  SampleSink,
  SubmetricSelector,
  Tags,
} from './types.js';

export interface MetricsAggregatorOptions {
  /** tag-filtered metrics to track (from `parseThresholds(...).submetrics`) */
  submetrics?: readonly SubmetricSelector[];
  /** summaryTrendStats; decides nothing about storage (histograms keep every percentile) */
  trendStats?: readonly string[];
  /** predeclare k6's built-ins (default true) */
  builtins?: boolean;
}

/** One check's tally in the checks tree. */
export interface CheckTally {
  name: string;
  /** group path, `""` for the root, `::a::b` for nested groups */
  group: string;
  passes: number;
  fails: number;
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set(builtinMetrics.map((d) => d.name));

/** k6 always shows this submetric in its end-of-test summary. */
export const EXPECTED_RESPONSE_SUBMETRIC: SubmetricSelector = Object.freeze({
  metric: 'http_req_duration',
  tags: Object.freeze({ expected_response: 'true' }),
  name: 'http_req_duration{expected_response:true}',
});

interface Tracked {
  definition: MetricDefinition;
  state: MetricState;
  submetrics: Submetric[];
}

interface Submetric {
  selector: SubmetricSelector;
  /** selector tags as parallel arrays: no allocation when matching a sample */
  keys: string[];
  values: string[];
  state: MetricState;
}

/** What `drain()` produces inside AggregateSnapshot.metrics and beside it. */
interface SnapshotBody extends AggregateSnapshot {
  metrics: Record<string, { definition: MetricDefinition; state: StateData }>;
  submetrics: { selector: SubmetricSelector; state: StateData }[];
  checks: CheckTally[];
  groups: string[];
}

/**
 * Aggregates samples per metric and per tag-filtered submetric, plus the checks tree and the
 * groups seen (for root_group). Worker threads `drain()` deltas; the main thread `merge()`s them.
 */
export class MetricsAggregator implements SampleSink {
  readonly trendStats: readonly string[] | undefined;
  private readonly metrics = new Map<string, Tracked>();
  private readonly selectors: SubmetricSelector[] = [];
  private readonly checkTallies = new Map<string, Map<string, CheckTally>>();
  private readonly groupPaths = new Set<string>();

  constructor(options: MetricsAggregatorOptions = {}) {
    this.trendStats = options.trendStats;
    if (options.builtins !== false) for (const definition of builtinMetrics) this.define(definition);
    this.track(EXPECTED_RESPONSE_SUBMETRIC);
    for (const selector of options.submetrics ?? []) this.track(selector);
  }

  define(definition: MetricDefinition): void {
    const existing = this.metrics.get(definition.name);
    if (existing) {
      if (existing.definition.type !== definition.type) {
        throw new Error(`metric "${definition.name}" is already a ${existing.definition.type}; it cannot be redefined as a ${definition.type}`);
      }
      return;
    }
    const tracked: Tracked = { definition: { ...definition }, state: newMetricState(definition.type), submetrics: [] };
    this.metrics.set(definition.name, tracked);
    for (const selector of this.selectors) if (selector.metric === definition.name) attach(tracked, selector);
  }

  /** Starts tracking a tag-filtered submetric (samples from now on). Idempotent. */
  track(selector: SubmetricSelector): void {
    const key = tagsKey(selector.tags);
    if (this.selectors.some((s) => s.metric === selector.metric && tagsKey(s.tags) === key)) return;
    this.selectors.push(selector);
    const tracked = this.metrics.get(selector.metric);
    if (tracked) attach(tracked, selector);
  }

  add(sample: Sample): void {
    this.addValue(sample.metric, sample.value, sample.tags, sample.time);
  }

  addValue(metric: string, value: number, tags: Tags, time: number): void {
    const tracked = this.metrics.get(metric);
    if (tracked === undefined) throw new Error(`sample for metric "${metric}", which was never defined`);
    tracked.state.add(value, time);
    const subs = tracked.submetrics;
    if (subs.length !== 0) {
      for (let i = 0; i < subs.length; i++) {
        const sub = subs[i]!;
        let match = true;
        for (let k = 0; k < sub.keys.length; k++) {
          if (tags[sub.keys[k]!] !== sub.values[k]) {
            match = false;
            break;
          }
        }
        if (match) sub.state.add(value, time);
      }
    }
    if (metric === 'checks') this.tallyCheck(tags.group ?? '', tags.check ?? '', value !== 0 ? 1 : 0, value !== 0 ? 0 : 1);
    else if (metric === 'group_duration') this.noteGroup(tags.group);
  }

  /** Everything added since the previous drain, to post to the main thread; resets this aggregator. */
  drain(): AggregateSnapshot {
    const body: SnapshotBody = { version: 1, metrics: {}, submetrics: [], checks: this.checks(), groups: this.groups() };
    for (const [name, tracked] of this.metrics) {
      // custom metrics travel even without samples, so the main thread learns their definitions
      if (tracked.state.samples !== 0 || !BUILTIN_NAMES.has(name)) {
        body.metrics[name] = { definition: tracked.definition, state: tracked.state.toData() };
      }
      tracked.state.reset();
      for (const sub of tracked.submetrics) {
        if (sub.state.samples !== 0) body.submetrics.push({ selector: sub.selector, state: sub.state.toData() });
        sub.state.reset();
      }
    }
    this.checkTallies.clear();
    this.groupPaths.clear();
    return body;
  }

  /** Adds a snapshot exactly (histograms added, counts summed, gauges last-by-time). */
  merge(snapshot: AggregateSnapshot): void {
    const body = snapshot as Partial<SnapshotBody>;
    if (body.version !== 1 || typeof body.metrics !== 'object' || body.metrics === null) throw new Error('not a metrics snapshot (version 1)');
    for (const entry of Object.values(body.metrics)) {
      this.define(entry.definition);
      this.metrics.get(entry.definition.name)!.state.merge(entry.state);
    }
    for (const entry of body.submetrics ?? []) {
      this.track(entry.selector);
      const sub = this.findSubmetric(entry.selector.metric, entry.selector.tags);
      if (!sub) throw new Error(`snapshot has submetric ${entry.selector.name} of an unknown metric`);
      sub.state.merge(entry.state);
    }
    for (const check of body.checks ?? []) this.tallyCheck(check.group, check.name, check.passes, check.fails);
    for (const group of body.groups ?? []) this.noteGroup(group);
  }

  /**
   * One metric's aggregate; with tags (or a `metric{tag:value}` name) one tracked submetric's.
   * Undefined for an unknown metric or an untracked tag set.
   */
  view(name: string, tags?: Tags): MetricView | undefined {
    let metric = name;
    let filter = tags;
    if (name.includes('{')) {
      const parsed = parseMetricSelector(name);
      metric = parsed.metric;
      filter = { ...parsed.selector!.tags, ...tags };
    }
    const tracked = this.metrics.get(metric);
    if (!tracked) return undefined;
    const state = filter && Object.keys(filter).length ? this.findSubmetric(metric, filter)?.state : tracked.state;
    if (!state) return undefined;
    return {
      definition: tracked.definition,
      samples: state.samples,
      stat: (aggregation, elapsedMs = 0) => state.stat(aggregation, elapsedMs),
    };
  }

  /** Every metric defined or seen, in definition order. */
  definitions(): MetricDefinition[] {
    return [...this.metrics.values()].map((t) => t.definition);
  }

  /** Tracked submetric selectors whose parent metric is defined. */
  submetrics(): SubmetricSelector[] {
    return this.selectors.filter((s) => this.metrics.has(s.metric));
  }

  /** Check tallies in first-seen order. */
  checks(): CheckTally[] {
    const out: CheckTally[] = [];
    for (const byName of this.checkTallies.values()) for (const tally of byName.values()) out.push({ ...tally });
    return out;
  }

  /** Group paths seen (`::a`, `::a::b`), in first-seen order. */
  groups(): string[] {
    return [...this.groupPaths];
  }

  private findSubmetric(metric: string, tags: Tags): Submetric | undefined {
    const key = tagsKey(tags);
    return this.metrics.get(metric)?.submetrics.find((s) => tagsKey(s.selector.tags) === key);
  }

  private tallyCheck(group: string, name: string, passes: number, fails: number): void {
    let byName = this.checkTallies.get(group);
    if (!byName) this.checkTallies.set(group, (byName = new Map()));
    const tally = byName.get(name);
    if (tally) {
      tally.passes += passes;
      tally.fails += fails;
    } else byName.set(name, { name, group, passes, fails });
    if (group) this.noteGroup(group);
  }

  private noteGroup(path: string | undefined): void {
    if (path && !this.groupPaths.has(path)) this.groupPaths.add(path);
  }
}

function attach(tracked: Tracked, selector: SubmetricSelector): void {
  const keys = Object.keys(selector.tags);
  tracked.submetrics.push({
    selector,
    keys,
    values: keys.map((k) => selector.tags[k]!),
    state: newMetricState(tracked.definition.type),
  });
}
