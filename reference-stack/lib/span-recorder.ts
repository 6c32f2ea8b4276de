import { randomFillSync } from 'node:crypto';
import {
  SamplingDecision,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { hasValidIds } from './trace-context.js';

/**
 * The spans of a replica, recorded with as little work per span as the OTLP export needs. The
 * SDK's tracer does much more per span (attribute sanitising twice, span-limit bookkeeping, its
 * own self-metrics, several closures): negligible in a hot loop, but a replica serving 50-100
 * requests/s runs that code barely warmed up, where it cost about 100 µs of CPU per span. What
 * stays the SDK's: the sampler (the OTEL_TRACES_SAMPLER semantics), the span processor (the
 * BatchSpanProcessor, OTEL_BSP_*) and the exporter, which all take these spans as they take
 * their own (`ReadableSpan`).
 *
 * Attribute values come from the stack's own code (strings and numbers, a handful per span), so
 * they are stored as given: no OTEL_SPAN_ATTRIBUTE_* limits are applied.
 */
export class SpanRecorder {
  constructor(
    private readonly sampler: Sampler,
    private readonly processor: SpanProcessor,
    readonly resource: Resource,
    readonly scope: InstrumentationScope,
  ) {}

  /** A span child of the span in `parent` (a new trace without one), recording or not as sampled. */
  start(name: string, kind: SpanKind, attributes: Attributes, parent: Context): Span {
    const parentSpan = trace.getSpanContext(parent);
    const child = parentSpan !== undefined && hasValidIds(parentSpan);
    const traceId = child ? parentSpan.traceId : randomHex(16);
    const sampled = this.sampler.shouldSample(parent, traceId, name, kind, attributes, []);
    const spanContext: SpanContext = {
      traceId,
      spanId: randomHex(8),
      traceFlags: sampled.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: sampled.traceState ?? (child ? parentSpan.traceState : undefined),
    };
    if (sampled.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    if (sampled.attributes) attributes = { ...attributes, ...sampled.attributes };
    return new RecordedSpan(this, name, kind, spanContext, child ? parentSpan : undefined, attributes);
  }

  ended(span: RecordedSpan): void {
    this.processor.onEnd(span);
  }

  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}

/** shared by every span until it has a status, events or links of its own (fewer objects kept per span) */
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NONE: never[] = Object.freeze([]) as unknown as never[];
const ZERO_TIME: HrTime = Object.freeze([0, 0]) as unknown as HrTime;

/**
 * A span as the exporter reads it. Each span waits in the batch processor until its batch is
 * exported, so it keeps as few objects as it can: its times as two numbers (the HrTime arrays
 * are made when read, at export) and the shared empty status, events and links.
 */
class RecordedSpan implements Span, ReadableSpan {
  status: SpanStatus = UNSET_STATUS;
  events: TimedEvent[] = NONE;
  links: Link[] = NONE;
  ended = false;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  private readonly startMs: number;
  private endMs = 0;

  constructor(
    private readonly recorder: SpanRecorder,
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly attributes: Attributes,
  ) {
    this.resource = recorder.resource;
    this.instrumentationScope = recorder.scope;
    this.startMs = nowMs();
  }

  get startTime(): HrTime {
    return toHrTime(this.startMs);
  }

  get endTime(): HrTime {
    return this.ended ? toHrTime(this.endMs) : ZERO_TIME;
  }

  get duration(): HrTime {
    return this.ended ? toHrTime(this.endMs - this.startMs) : ZERO_TIME;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.ended && value !== undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    if (this.ended) return this;
    if (this.events === NONE) this.events = [];
    this.events.push({ name, time: at === undefined ? toHrTime(nowMs()) : timeToHrTime(at), attributes, droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NONE) this.links = [];
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes =
      typeof exception === 'string'
        ? { 'exception.message': exception }
        : { 'exception.type': exception.name ?? String(exception.code ?? 'Error'), 'exception.message': exception.message ?? '' };
    if (typeof exception !== 'string' && exception.stack) attributes['exception.stacktrace'] = exception.stack;
    this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const endMs = endTime === undefined ? nowMs() : hrTimeToMs(timeToHrTime(endTime));
    this.endMs = Math.max(endMs, this.startMs);
    this.recorder.ended(this);
  }
}

const TIME_ORIGIN = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond precision (monotonic within the process). */
function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}

function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}

function hrTimeToMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}

/** API time input: epoch ms, a Date, an HrTime, or (as the SDK reads a small number) performance.now() ms. */
function timeToHrTime(time: TimeInput): HrTime {
  if (Array.isArray(time)) return time;
  if (time instanceof Date) return toHrTime(time.getTime());
  return toHrTime(time < TIME_ORIGIN ? TIME_ORIGIN + time : time);
}

// ids cut from a pool of cryptographic random bytes, hex-encoded 512 ids at a time (one native
// call per refill instead of one per id)
const pool = Buffer.allocUnsafe(8192);
const ZERO_SPAN_ID = '0'.repeat(16);
const ZERO_TRACE_ID = '0'.repeat(32);
let hexPool = '';
let hexAt = 0;

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  for (;;) {
    if (hexAt + chars > hexPool.length) {
      randomFillSync(pool);
      hexPool = pool.toString('hex');
      hexAt = 0;
    }
    const hex = hexPool.slice(hexAt, hexAt + chars);
    hexAt += chars;
    // an all-zero id is invalid (W3C); astronomically rare, but never send one
    if (hex !== ZERO_SPAN_ID && hex !== ZERO_TRACE_ID) return hex;
  }
}
