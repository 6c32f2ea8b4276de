import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRPC_FIXTURES } from './grpc-fixtures.js';

/**
 * A real gRPC server for the k6/net/grpc tests: test/fixtures/grpc/shop.proto's Inventory (one
 * method of each kind), grpc.health.v1 Health/Check and server reflection, plaintext on an
 * ephemeral loopback port.
 */

interface StockRequest {
  sku: string;
  updates: number;
}
interface Sale {
  sku: string;
  quantity: number;
}
interface Offer {
  cents: number;
  note: string;
}

export interface ShopServer {
  address: string;
  /** the x-customer metadata of every GetStock call */
  customers: string[];
  /** how many streams the server has seen end, by method */
  streamsEnded: Record<string, number>;
  close(): void;
}

/** Health: SERVING for the whole server and the Inventory, NOT_SERVING for "drained", NOT_FOUND otherwise (as the spec says). */
const HEALTH: Record<string, string> = { '': 'SERVING', 'peakready.shop.v1.Inventory': 'SERVING', drained: 'NOT_SERVING' };

/** `tls`: serve with test/fixtures/grpc/tls's self-signed certificate instead of plaintext. */
export async function startShopServer(options: { tls?: boolean } = {}): Promise<ShopServer> {
  const definition = protoLoader.loadSync(['shop.proto', 'health.proto'], { includeDirs: [GRPC_FIXTURES], keepCase: true, longs: String, enums: String, defaults: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const loaded = grpc.loadPackageDefinition(definition) as any;
  const server = new grpc.Server();
  const customers: string[] = [];
  const streamsEnded: Record<string, number> = {};
  const ended = (method: string) => (streamsEnded[method] = (streamsEnded[method] ?? 0) + 1);

  server.addService(loaded.peakready.shop.v1.Inventory.service, {
    GetStock(call: grpc.ServerUnaryCall<StockRequest, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const customer = call.metadata.get('x-customer')[0];
      if (customer !== undefined) customers.push(String(customer));
      const headers = new grpc.Metadata();
      headers.set('x-shop-region', 'eu-west');
      call.sendMetadata(headers);
      if (call.request.sku === 'missing') return callback({ code: grpc.status.NOT_FOUND, details: 'no such sku: missing' });
      const trailer = new grpc.Metadata();
      trailer.set('x-served-by', 'inventory-1');
      callback(null, { sku: call.request.sku, quantity: '42', warehouses: ['ams-1', 'fra-2'], checked_at: { seconds: '1700000000', nanos: 0 }, status: 'IN_STOCK' }, trailer);
    },
    WatchStock(call: grpc.ServerWritableStream<StockRequest, unknown>) {
      for (let i = 1; i <= call.request.updates; i++) call.write({ sku: call.request.sku, quantity: String(100 - i), status: 'IN_STOCK' });
      call.end();
      ended('WatchStock');
    },
    RecordSales(call: grpc.ServerReadableStream<Sale, unknown>, callback: grpc.sendUnaryData<unknown>) {
      let sales = 0;
      let units = 0;
      call.on('data', (sale: Sale) => {
        sales++;
        units += sale.quantity;
      });
      call.on('end', () => {
        callback(null, { sales, units });
        ended('RecordSales');
      });
    },
    Haggle(call: grpc.ServerDuplexStream<Offer, Offer>) {
      call.on('data', (offer: Offer) => call.write({ cents: offer.cents - 10, note: `counter to ${offer.note}` }));
      call.on('end', () => {
        call.end();
        ended('Haggle');
      });
    },
  });
  server.addService(loaded.grpc.health.v1.Health.service, {
    Check(call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const status = HEALTH[call.request.service];
      if (!status) return callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
      callback(null, { status });
    },
  });
  new ReflectionService(definition).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', options.tls ? tlsCredentials() : grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, customers, streamsEnded, close: () => server.forceShutdown() };
}

function tlsCredentials(): grpc.ServerCredentials {
  const read = (name: string) => readFileSync(join(GRPC_FIXTURES, 'tls', name));
  return grpc.ServerCredentials.createSsl(null, [{ private_key: read('server.key'), cert_chain: read('server.crt') }]);
}
