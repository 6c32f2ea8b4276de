import { describe, expect, it } from 'vitest';
import { AdmissionControl, type AdmissionLimits } from './admission.js';

const limits: AdmissionLimits = { maxBodyBytes: 1000, maxInflatedBytes: 4000, maxConcurrentRequests: 2, maxPendingSpans: 10, maxEventLoopLagMs: 100, maxQueueDelayMs: 1000, maxQueuedBytes: 1500 };

function control(load: { pending?: number; lag?: number; queued?: number } = {}) {
  const probes = { pendingSpans: () => load.pending ?? 0, eventLoopLagMs: () => load.lag ?? 0, queueDelayMs: () => load.queued ?? 0 };
  return new AdmissionControl(limits, probes);
}

describe('AdmissionControl', () => {
  it('refuses a declared body past the limit with 413, which is not retryable', () => {
    const admission = control();
    expect(admission.checkDeclaredLength(undefined)).toBeUndefined();
    expect(admission.checkDeclaredLength('1000')).toBeUndefined();
    expect(admission.checkDeclaredLength('1001')).toEqual({ status: 413, message: 'body of 1001 bytes exceeds the limit of 1000' });
    expect(admission.throttled).toBe(0);
  });

  it('answers 429 with Retry-After 1 once maxConcurrentRequests are in flight, and admits again after a release', () => {
    const admission = control();
    expect(admission.admit()).toBeUndefined();
    expect(admission.admit()).toBeUndefined();
    expect(admission.inFlight).toBe(2);
    expect(admission.admit()).toEqual({ status: 429, message: 'more than 2 export requests at once; retry later', retryAfter: 1 });
    expect(admission.inFlight).toBe(2);
    admission.release();
    expect(admission.admit()).toBeUndefined();
    expect(admission.throttled).toBe(1);
  });

  it('answers 503 with Retry-After 2 while maxPendingSpans wait for the disk', () => {
    const load = { pending: 9 };
    const admission = control(load);
    expect(admission.admit()).toBeUndefined();
    admission.release();
    load.pending = 10;
    expect(admission.admit()).toMatchObject({ status: 503, retryAfter: 2 });
    expect(admission.inFlight).toBe(0);
  });

  it('answers 503 with Retry-After 1 while the event loop lags past the limit', () => {
    const load = { lag: 100 };
    const admission = control(load);
    expect(admission.admit()).toBeUndefined();
    load.lag = 250.4;
    expect(admission.admit()).toEqual({ status: 503, message: 'the receiver is 250 ms behind; retry later', retryAfter: 1 });
  });

  it('names the first limit reached: concurrency, then disk, then lag', () => {
    const admission = control({ pending: 50, lag: 500 });
    expect(admission.admit()).toMatchObject({ status: 503, retryAfter: 2 });
    const busy = control();
    busy.admit();
    busy.admit();
    expect(busy.admit()).toMatchObject({ status: 429 });
  });

  it('answers 503 with a Retry-After of the queued wait, rounded up to seconds, once the decode queue would hold an export past its bound', () => {
    const load = { queued: 1000 };
    const admission = control(load);
    expect(admission.admit()).toBeUndefined();
    admission.release();
    load.queued = 2300;
    expect(admission.admit()).toEqual({ status: 503, message: 'exports queued for about 2300 ms of decoding; retry later', retryAfter: 3 });
    load.queued = 1001;
    expect(admission.admit()).toMatchObject({ status: 503, retryAfter: 2 });
    expect(admission.throttled).toBe(2);
  });

  it('answers 429 once the declared bodies in flight would pass maxQueuedBytes, but always admits one export alone', () => {
    const admission = control();
    expect(admission.admit(1000)).toBeUndefined();
    expect(admission.admit(600)).toEqual({ status: 429, message: 'more than 1500 bytes of exports waiting to be decoded; retry later', retryAfter: 1 });
    expect(admission.admit(500)).toBeUndefined();
    admission.release(1000);
    admission.release(500);
    expect(admission.inFlight).toBe(0);
    const alone = control();
    expect(alone.admit(2000)).toBeUndefined();
  });
});
