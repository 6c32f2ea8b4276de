import { captureCreate } from '../../readback/capture.js';
import type { CompiledCapture } from '../../readback/contract.js';
import type { RequestRecord } from '../../run/records.js';
import type { VuContext } from '../vu-context.js';
import type { WireResponse } from './http-client.js';

/** What the http module sent, as the record of its response needs it. */
export interface SentRequest {
  /** epoch ms the request started */
  t: number;
  name: string;
  method: string;
  url: string;
  expected: boolean | undefined;
  traceparent: string;
  /** lower-case names, as the script set them (no host or cookie) */
  headers: Readonly<Record<string, string>>;
  body: string | Uint8Array | null;
}

/**
 * The run directory's record of one response: its trace id, coordinated-omission latency,
 * `x-peakready-*` headers and, for a create the read-back contract names, its capture.
 */
export function requestRecord(vu: VuContext, wire: WireResponse, sent: SentRequest, capture: CompiledCapture | undefined): RequestRecord {
  const scenario = vu.scenario;
  const meta: Record<string, string> = {};
  let hasMeta = false;
  for (const key in wire.headers) {
    if (key.startsWith('x-peakready-')) {
      const v = wire.headers[key];
      meta[key.slice(12)] = Array.isArray(v) ? v.join(', ') : String(v);
      hasMeta = true;
    }
  }
  const captured = capture
    ? captureCreate(capture, { status: wire.status, body: wire.body, method: sent.method, url: sent.url, requestHeaders: sent.headers, requestBody: sent.body })
    : undefined;
  return {
    t: sent.t,
    scenario: scenario?.name ?? 'setup',
    name: sent.name,
    method: sent.method,
    status: wire.status,
    duration: wire.timings.duration,
    failed: sent.expected === false,
    traceId: sent.traceparent.split('-')[1],
    ...(scenario?.intendedStart !== undefined ? { intendedLatency: wire.endedAt - scenario.intendedStart } : {}),
    ...(wire.error ? { error: wire.error.message } : {}),
    ...(hasMeta ? { meta } : {}),
    ...(captured ? { capture: captured } : {}),
  };
}
