import { fileURLToPath } from 'node:url';

/** test/fixtures/grpc/: the .proto files of the k6/net/grpc tests. */
export const GRPC_FIXTURES = fileURLToPath(new URL('../fixtures/grpc/', import.meta.url));
