import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { BadOtlpBody, decodeJsonRequest, decodeProtobufRequest, type DecodedSpans } from './decode.js';
import { PROTOBUF, type OtlpEncoding, type Refusal } from './http-edge.js';

/**
 * An export request's body, from the socket to spans: read up to the byte limit, inflated when
 * gzip (up to its own limit, so a zip bomb is refused, not inflated), decoded. Each step answers
 * a Refusal (413 too large, 400 does not decode) instead of throwing, so a bad request never
 * crashes the receiver.
 */

const gunzipAsync = promisify(gunzip);

export interface BodyLimits {
  /** bytes on the wire */
  maxBodyBytes: number;
  /** bytes once inflated */
  maxInflatedBytes: number;
}

/** A request body stream (IncomingMessage), `complete` once all of it arrived. */
export type BodyStream = Readable & { readonly complete: boolean };

/** `raw` as it came (what a forwarder sends on), `body` inflated. */
export interface ExportBody {
  raw: Buffer;
  body: Buffer;
}

/** The body, or a refusal, or 'aborted' when the client went away (nothing to answer). */
export async function readExportBody(req: BodyStream, gzip: boolean, limits: BodyLimits): Promise<ExportBody | Refusal | 'aborted'> {
  const raw = await readBody(req, limits.maxBodyBytes);
  if (raw === 'aborted') return raw;
  if (raw === 'too-large') return { status: 413, message: `body exceeds the limit of ${limits.maxBodyBytes} bytes` };
  if (!gzip) return { raw, body: raw };
  const body = await inflate(raw, limits.maxInflatedBytes);
  return isBuffer(body) ? { raw, body } : body;
}

/** Reads the whole body up to `limit` bytes. */
export function readBody(req: BodyStream, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too-large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks, size)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish(req.complete ? Buffer.concat(chunks, size) : 'aborted'));
  });
}

export async function inflate(raw: Buffer, maxInflatedBytes: number): Promise<Buffer | Refusal> {
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxInflatedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      return { status: 413, message: `decompressed body exceeds the limit of ${maxInflatedBytes} bytes` };
    }
    return { status: 400, message: `gzip body does not decompress: ${(error as Error).message}` };
  }
}

/** Spans of an ExportTraceServiceRequest, or 400 for a body that is not one. */
export function decodeExport(encoding: OtlpEncoding, body: Buffer): DecodedSpans | Refusal {
  try {
    return encoding === PROTOBUF ? decodeProtobufRequest(body) : decodeJsonRequest(body.toString('utf8'));
  } catch (error) {
    if (error instanceof BadOtlpBody) return { status: 400, message: error.message };
    throw error;
  }
}

function isBuffer(value: Buffer | Refusal): value is Buffer {
  return Buffer.isBuffer(value);
}
