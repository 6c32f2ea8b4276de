import protobuf from 'protobufjs';

/**
 * The OTLP trace messages, as protobufjs reflection JSON written from the OpenTelemetry proto
 * specification (opentelemetry/proto/{common,resource,trace}/v1, collector/trace/v1) and
 * google.rpc.Status for error bodies. Field numbers and types follow the spec exactly: a decoder
 * built from them reads what any SDK sends. Deprecated and reserved fields are left out
 * (protobuf skips unknown fields), so newer SDKs that add fields still decode.
 */
const fields = (defs: Record<string, [number, string, ('repeated' | undefined)?]>) =>
  Object.fromEntries(Object.entries(defs).map(([name, [id, type, rule]]) => [name, rule ? { id, type, rule } : { id, type }]));

export const OTLP_TRACE_DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        // AnyValue's fields form the spec's `oneof value`; declared as plain fields (the same wire
        // format) because protobufjs' oneof bookkeeping deletes properties on every decoded value,
        // which measured as the largest single decoding cost. The decoder takes the one field set.
        AnyValue: {
          fields: fields({
            stringValue: [1, 'string'],
            boolValue: [2, 'bool'],
            intValue: [3, 'int64'],
            doubleValue: [4, 'double'],
            arrayValue: [5, 'ArrayValue'],
            kvlistValue: [6, 'KeyValueList'],
            bytesValue: [7, 'bytes'],
          }),
        },
        ArrayValue: { fields: fields({ values: [1, 'AnyValue', 'repeated'] }) },
        KeyValueList: { fields: fields({ values: [1, 'KeyValue', 'repeated'] }) },
        KeyValue: { fields: fields({ key: [1, 'string'], value: [2, 'AnyValue'] }) },
        InstrumentationScope: {
          fields: fields({ name: [1, 'string'], version: [2, 'string'], attributes: [3, 'KeyValue', 'repeated'], droppedAttributesCount: [4, 'uint32'] }),
        },
        Resource: { fields: fields({ attributes: [1, 'KeyValue', 'repeated'], droppedAttributesCount: [2, 'uint32'] }) },
        ResourceSpans: { fields: fields({ resource: [1, 'Resource'], scopeSpans: [2, 'ScopeSpans', 'repeated'], schemaUrl: [3, 'string'] }) },
        ScopeSpans: { fields: fields({ scope: [1, 'InstrumentationScope'], spans: [2, 'Span', 'repeated'], schemaUrl: [3, 'string'] }) },
        Span: {
          fields: fields({
            traceId: [1, 'bytes'],
            spanId: [2, 'bytes'],
            traceState: [3, 'string'],
            parentSpanId: [4, 'bytes'],
            flags: [16, 'fixed32'],
            name: [5, 'string'],
            kind: [6, 'int32'],
            startTimeUnixNano: [7, 'fixed64'],
            endTimeUnixNano: [8, 'fixed64'],
            attributes: [9, 'KeyValue', 'repeated'],
            droppedAttributesCount: [10, 'uint32'],
            events: [11, 'Event', 'repeated'],
            droppedEventsCount: [12, 'uint32'],
            links: [13, 'Link', 'repeated'],
            droppedLinksCount: [14, 'uint32'],
            status: [15, 'Status'],
          }),
        },
        Event: {
          fields: fields({ timeUnixNano: [1, 'fixed64'], name: [2, 'string'], attributes: [3, 'KeyValue', 'repeated'], droppedAttributesCount: [4, 'uint32'] }),
        },
        Link: {
          fields: fields({
            traceId: [1, 'bytes'],
            spanId: [2, 'bytes'],
            traceState: [3, 'string'],
            attributes: [4, 'KeyValue', 'repeated'],
            droppedAttributesCount: [5, 'uint32'],
            flags: [6, 'fixed32'],
          }),
        },
        // field 1 of Status is reserved in the spec (the deprecated code)
        Status: { fields: fields({ message: [2, 'string'], code: [3, 'int32'] }) },
        ExportTraceServiceRequest: { fields: fields({ resourceSpans: [1, 'ResourceSpans', 'repeated'] }) },
        ExportTraceServiceResponse: { fields: fields({ partialSuccess: [1, 'ExportTracePartialSuccess'] }) },
        ExportTracePartialSuccess: { fields: fields({ rejectedSpans: [1, 'int64'], errorMessage: [2, 'string'] }) },
        /** google.rpc.Status: the body of every 4xx/5xx answer (details left empty) */
        RpcStatus: { fields: fields({ code: [1, 'int32'], message: [2, 'string'] }) },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR);

export const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('otlp.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('otlp.RpcStatus');

/** OTLP Span.SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer (the API's SpanKind + 1). */
export const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
/** OTLP Status.StatusCode */
export const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;

/** gRPC codes used in google.rpc.Status bodies */
export const RpcCode = { invalidArgument: 3, resourceExhausted: 8, unavailable: 14 } as const;
