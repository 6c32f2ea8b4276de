import { GrpcClient } from './grpc-client.js';
import { GrpcStream } from './grpc-stream.js';
import type { K6Module } from './k6-module.js';

/**
 * `k6/net/grpc` on @grpc/grpc-js: Client (load, loadProtoset, connect, invoke, asyncInvoke,
 * healthCheck, close), Stream, and the status and health constants. Metrics as k6 emits them:
 * grpc_req_duration per RPC, grpc_streams and grpc_streams_msgs_sent/received per stream.
 */

const STATUS_NAMES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted',
  'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
] as const;

/** StatusOK = 0 ... StatusUnauthenticated = 16, and the health check's serving statuses. */
const constants: Record<string, number> = {
  ...Object.fromEntries(STATUS_NAMES.map((name, code) => [`Status${name}`, code])),
  HealthCheckUnknown: 0,
  HealthCheckServing: 1,
  HealthCheckNotServing: 2,
  HealthCheckServiceUnkown: 3, // sic: k6's spelling
};

export const grpcModule: K6Module = {
  specifier: 'k6/net/grpc',
  blocking: [],
  blockingMethods: ['connect', 'invoke', 'healthCheck'],
  create(vu) {
    const sink = vu.instance.sink;
    sink.define({ name: 'grpc_req_duration', type: 'trend', contains: 'time' });
    sink.define({ name: 'grpc_streams', type: 'counter', contains: 'default' });
    sink.define({ name: 'grpc_streams_msgs_sent', type: 'counter', contains: 'default' });
    sink.define({ name: 'grpc_streams_msgs_received', type: 'counter', contains: 'default' });
    const api = {
      Client: class Client extends GrpcClient {
        constructor() {
          super(vu);
        }
      },
      Stream: class Stream extends GrpcStream {
        constructor(client: unknown, method: unknown, params?: unknown) {
          super(vu, client, method, params);
        }
      },
      ...constants,
    };
    return { ...api, default: api };
  },
};
