import { BadOtlpBody, decodeJsonObject } from '../../otlp/decode.js';
import { BadTraceAnswer, isObject, type DecodedTrace } from './trace-api.js';

/**
 * An OTLP-shaped trace in a backend's answer (`resourceSpans`, or Tempo v1's `batches`) to
 * `SpanRecord`s through the receiver's own OTLP/JSON decoder, so fetched spans are the very
 * records the receiver would have written. Ids may be hex or base64 (Tempo writes bytes base64).
 */
export function decodeOtlpTrace(tracesData: unknown, where: string): DecodedTrace {
  if (!isObject(tracesData)) throw new BadTraceAnswer(`${where} is not an object`);
  const resourceSpans = tracesData.resourceSpans ?? tracesData.resource_spans ?? tracesData.batches;
  try {
    const decoded = decodeJsonObject({ resourceSpans }, { base64Ids: true });
    return { spans: decoded.spans, rejected: decoded.rejected };
  } catch (error) {
    if (error instanceof BadOtlpBody) throw new BadTraceAnswer(`${where}: ${error.message}`);
    throw error;
  }
}
