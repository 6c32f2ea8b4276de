import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeExport, inflate, readBody, readExportBody, type BodyStream } from './export-body.js';
import { JSON_TYPE, PROTOBUF } from './http-edge.js';
import { otlpJsonRequest, otlpProtobufRequest, sampleCheckoutTrace } from './sample-traces.js';

/** A request body stream that delivers `chunks` then ends (or closes early when `abort`). */
function stream(chunks: Buffer[], abort = false): BodyStream {
  const s = new PassThrough() as PassThrough & { complete: boolean };
  s.complete = false;
  queueMicrotask(() => {
    for (const c of chunks) s.write(c);
    if (abort) s.destroy();
    else {
      s.complete = true;
      s.end();
    }
  });
  return s;
}

const limits = { maxBodyBytes: 1000, maxInflatedBytes: 4000 };

describe('export body', () => {
  it('reads a body in chunks up to the limit', async () => {
    expect(await readBody(stream([Buffer.from('ab'), Buffer.from('cd')]), 4)).toEqual(Buffer.from('abcd'));
    expect(await readBody(stream([Buffer.from('ab'), Buffer.from('cde')]), 4)).toBe('too-large');
    expect(await readBody(stream([Buffer.from('ab')], true), 4)).toBe('aborted');
  });

  it('inflates gzip up to its limit: 413 past it, 400 for a body that is not gzip', async () => {
    expect(await inflate(gzipSync(Buffer.alloc(100)), 100)).toEqual(Buffer.alloc(100));
    expect(await inflate(gzipSync(Buffer.alloc(101)), 100)).toMatchObject({ status: 413 });
    expect(await inflate(Buffer.from('not gzip'), 100)).toMatchObject({ status: 400, message: expect.stringMatching(/does not decompress/) });
  });

  it('keeps the raw body beside the inflated one, for the forwarder', async () => {
    const raw = gzipSync(Buffer.from('hello'));
    expect(await readExportBody(stream([raw]), true, limits)).toEqual({ raw, body: Buffer.from('hello') });
    expect(await readExportBody(stream([Buffer.from('plain')]), false, limits)).toEqual({ raw: Buffer.from('plain'), body: Buffer.from('plain') });
    expect(await readExportBody(stream([Buffer.alloc(1001)]), false, limits)).toEqual({ status: 413, message: 'body exceeds the limit of 1000 bytes' });
    expect(await readExportBody(stream([gzipSync(Buffer.alloc(4001))]), true, limits)).toMatchObject({ status: 413 });
    expect(await readExportBody(stream([Buffer.from('x')], true), false, limits)).toBe('aborted');
  });

  it('decodes either encoding, and answers 400 for what is not an export request', () => {
    const traces = [sampleCheckoutTrace(Date.now())];
    const pb = decodeExport(PROTOBUF, Buffer.from(otlpProtobufRequest(traces)));
    const json = decodeExport(JSON_TYPE, Buffer.from(JSON.stringify(otlpJsonRequest(traces))));
    expect(pb).toEqual(json);
    expect(pb).toMatchObject({ rejected: 0 });
    expect(decodeExport(JSON_TYPE, Buffer.from('{"resourceSpans": ['))).toMatchObject({ status: 400 });
    expect(decodeExport(PROTOBUF, Buffer.from([0xff, 0xff, 0xff]))).toMatchObject({ status: 400 });
  });
});
