import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRPC_FIXTURES } from '../../../test/support/grpc-fixtures.js';
import { startShopServer, type ShopServer } from '../../../test/support/grpc-shop-server.js';
import { scriptWriter } from '../../../test/support/script-file.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { runLoadTest } from '../run.js';

// k6/net/grpc against a real grpc-js server with reflection and health (test/support/grpc-shop-server.ts)
let shop: ShopServer;
const dir = tempDir('peakready-grpc-');

beforeAll(async () => {
  shop = await startShopServer();
  writeFileSync(join(dir, 'shop.proto'), readFileSync(join(GRPC_FIXTURES, 'shop.proto')));
});
afterAll(() => shop.close());

const script = scriptWriter(dir);

// one instance on one load worker, as `peakready run` runs a test of this size
const run = (file: string) => runLoadTest({ script: file, env: { GRPC_ADDR: shop.address }, quiet: true, stdout: () => {} });

describe('k6/net/grpc', () => {
  it('invokes unary methods from a loaded .proto: protojson messages, metadata, errors, tagged grpc_req_duration', async () => {
    const file = script(
      'unary.js',
      `import grpc from 'k6/net/grpc';
import { check } from 'k6';

const client = new grpc.Client();
const methods = client.load(['.'], 'shop.proto');
export const options = {
  scenarios: { browse: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
  summaryTrendStats: ['avg', 'max', 'count'],
  thresholds: { 'grpc_req_duration{method:GetStock}': ['max<60000'], 'grpc_req_duration{status:5}': ['max<60000'] },
};

function stock(sku, params) {
  return client.invoke('peakready.shop.v1.Inventory/GetStock', { sku }, params);
}

export default function () {
  if (__ITER == 0) client.connect(__ENV.GRPC_ADDR, { plaintext: true, timeout: '5s' });
  const res = stock('sku-1', { metadata: { 'x-customer': 'vu-' + __VU }, tags: { flow: 'browse' } });
  check(res, {
    'status OK': (r) => r.status === grpc.StatusOK,
    'int64 as a string': (r) => r.message.quantity === '42',
    'camelCase names, timestamps as RFC 3339': (r) => r.message.checkedAt === '2023-11-14T22:13:20Z',
    'enums by name': (r) => r.message.status === 'IN_STOCK',
    'unpopulated fields present': (r) => r.message.reserved === false && r.message.unitPrice === null,
    'repeated fields': (r) => r.message.warehouses.join() === 'ams-1,fra-2',
    'headers and trailers': (r) => r.headers['x-shop-region'][0] === 'eu-west' && r.trailers['x-served-by'][0] === 'inventory-1',
    'no error': (r) => r.error === null,
  });
  const missing = client.invoke('/peakready.shop.v1.Inventory/GetStock', { sku: 'missing' });
  check(missing, {
    'NOT_FOUND': (r) => r.status === grpc.StatusNotFound && r.message === null,
    'error details': (r) => r.error.message === 'no such sku: missing' && r.error.code === 5,
  });
  check(methods, { 'load lists the methods': (m) => m.length === 4 && m[0].fullMethod === '/peakready.shop.v1.Inventory/GetStock' && m[0].package === 'peakready.shop.v1' });
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 44 });
    expect(m.grpc_req_duration!.values.count).toBe(8);
    expect(m['grpc_req_duration{status:5}']!.values.count).toBe(4);
    expect(m['grpc_req_duration{method:GetStock}']!.values.count).toBe(8);
    expect(m.data_sent!.values.count).toBeGreaterThan(0);
    expect(shop.customers.sort()).toEqual(['vu-1', 'vu-1', 'vu-2', 'vu-2']);
  });

  it('learns the schema by reflection and checks health', async () => {
    const file = script(
      'reflect.js',
      `import grpc from 'k6/net/grpc';
import { check } from 'k6';
const client = new grpc.Client();
export const options = { iterations: 1 };
export default () => {
  client.connect(__ENV.GRPC_ADDR, { plaintext: true, reflect: true });
  const res = client.invoke('peakready.shop.v1.Inventory/GetStock', { sku: 'sku-2' });
  check(res, { 'reflected call OK': (r) => r.status === grpc.StatusOK && r.message.sku === 'sku-2' });
  check(client.healthCheck(), { 'server serving': (r) => r.status === grpc.StatusOK && r.message.status === grpc.HealthCheckServing });
  check(client.healthCheck('drained'), { 'drained not serving': (r) => r.message.status === grpc.HealthCheckNotServing });
  check(client.healthCheck('nope'), { 'unknown service NOT_FOUND': (r) => r.status === grpc.StatusNotFound });
  client.close();
};
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.checks!.values).toMatchObject({ rate: 1, passes: 4 });
  });

  it('runs server, client and bidirectional streams; the iteration lasts until they end', async () => {
    const before = { ...shop.streamsEnded };
    const file = script(
      'streams.js',
      `import { Client, Stream } from 'k6/net/grpc';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
const ends = new Counter('stream_ends');
const client = new Client();
client.load(null, 'shop.proto');
export const options = { vus: 2, iterations: 2 };
export default () => {
  client.connect(__ENV.GRPC_ADDR, { plaintext: true });
  const updates = [];
  const watch = new Stream(client, 'peakready.shop.v1.Inventory/WatchStock');
  watch.on('data', (stock) => updates.push(stock.quantity));
  watch.on('end', () => { ends.add(1, { stream: 'watch' }); check(updates, { 'three updates': (u) => u.join() === '99,98,97' }); });
  watch.write({ sku: 'sku-1', updates: 3 });
  watch.end();

  const sales = new Stream(client, 'peakready.shop.v1.Inventory/RecordSales', { tags: { kind: 'client' } });
  sales.on('data', (summary) => check(summary, { 'summed sales': (s) => s.sales === 2 && s.units === 5 }));
  sales.on('end', () => ends.add(1, { stream: 'sales' }));
  sales.write({ sku: 'a', quantity: 2 });
  sales.write({ sku: 'b', quantity: 3 });
  sales.end();

  const haggle = new Stream(client, 'peakready.shop.v1.Inventory/Haggle');
  haggle.on('data', (offer, meta) => {
    check(offer, { 'counter-offer': (o) => o.cents === 90 && o.note === 'counter to first' && meta.ts > 0 });
    haggle.end();
  });
  haggle.on('end', () => ends.add(1, { stream: 'haggle' }));
  haggle.write({ cents: 100, note: 'first' });
};
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.stream_ends!.values.count).toBe(6);
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 6 });
    expect(m.grpc_streams!.values.count).toBe(6);
    expect(m.grpc_streams_msgs_sent!.values.count).toBe(8);
    expect(m.grpc_streams_msgs_received!.values.count).toBe(10);
    for (const method of ['WatchStock', 'RecordSales', 'Haggle']) expect((shop.streamsEnded[method] ?? 0) - (before[method] ?? 0)).toBe(2);
  });

  it('one event loop: a server stream opened from a timer completes, and its handlers\' timers run, before the iteration ends', async () => {
    const before = shop.streamsEnded.WatchStock ?? 0;
    const file = script(
      'stream-from-timer.js',
      `import { Client, Stream } from 'k6/net/grpc';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
const done = new Counter('stream_done');
const client = new Client();
client.load(null, 'shop.proto');
export const options = { vus: 2, iterations: 4 };
export default () => {
  client.connect(__ENV.GRPC_ADDR, { plaintext: true });
  const started = Date.now();
  setTimeout(() => {
    const updates = [];
    const watch = new Stream(client, 'peakready.shop.v1.Inventory/WatchStock');
    watch.on('data', (stock) => updates.push(stock.quantity));
    watch.on('end', () =>
      setTimeout(() => {
        done.add(1);
        check(updates, { 'every update, after the timers': (u) => u.join() === '99,98,97,96' && Date.now() - started >= 200 });
      }, 100),
    );
    watch.write({ sku: 'sku-2', updates: 4 });
    watch.end();
  }, 100);
};
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.stream_done!.values.count).toBe(4);
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 4 });
    expect(m.grpc_streams_msgs_received!.values.count).toBe(16);
    expect((shop.streamsEnded.WatchStock ?? 0) - before).toBe(4);
  });

  it('asyncInvoke in an async script; a protoset loads like a .proto', async () => {
    const root = protobuf.loadSync(join(dir, 'shop.proto'));
    const descriptor = createRequire(import.meta.url)('protobufjs/ext/descriptor/index.js') as { FileDescriptorSet: protobuf.Type };
    writeFileSync(join(dir, 'shop.protoset'), descriptor.FileDescriptorSet.encode((root as unknown as { toDescriptor(s: string): protobuf.Message }).toDescriptor('proto3')).finish());
    const file = script(
      'async.js',
      `import grpc from 'k6/net/grpc';
import { check } from 'k6';
const client = new grpc.Client();
client.loadProtoset('shop.protoset');
export const options = { iterations: 2, summaryTrendStats: ['avg', 'max', 'count'] };
export default async () => {
  client.connect(__ENV.GRPC_ADDR, { plaintext: true });
  const [a, b] = await Promise.all(['x', 'y'].map((sku) => client.asyncInvoke('peakready.shop.v1.Inventory/GetStock', { sku })));
  check(null, { 'both answered': () => a.message.sku === 'x' && b.message.sku === 'y' });
  client.asyncInvoke('peakready.shop.v1.Inventory/GetStock', { sku: 'later' }).then((r) => check(r, { 'awaited by the VU': (x) => x.status === 0 }));
};
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.checks!.values).toMatchObject({ rate: 1, passes: 4 });
    expect(result.summary.metrics.grpc_req_duration!.values.count).toBe(6);
  });

  it('connects over TLS with the CA certificates given in tls.cacerts, and refuses a server it cannot verify', async () => {
    const secure = await startShopServer({ tls: true });
    try {
      writeFileSync(join(dir, 'server.crt'), readFileSync(join(GRPC_FIXTURES, 'tls', 'server.crt')));
      const tlsRun = (name: string, connectParams: string) =>
        runLoadTest({
          script: script(
            name,
            `import grpc from 'k6/net/grpc';
import { check } from 'k6';
const ca = open('server.crt');
const client = new grpc.Client();
client.load([], 'shop.proto');
export const options = { iterations: 1 };
export function setup() {
  client.connect(__ENV.TLS_ADDR, ${connectParams});
  check(client.invoke('peakready.shop.v1.Inventory/GetStock', { sku: 'tls' }), { 'answered over TLS': (r) => r.message.sku === 'tls' });
}
export default () => {};
`,
          ),
          env: { TLS_ADDR: secure.address },
          quiet: true,
          stdout: () => {},
        });
      const trusted = await tlsRun('tls.js', `{ tls: { cacerts: [ca] }, timeout: '5s' }`);
      expect(trusted.summary.metrics.checks!.values).toMatchObject({ rate: 1, passes: 1 });
      // without the CA, only the system's are trusted, and they do not know the test certificate
      await expect(tlsRun('tls-untrusted.js', `{ timeout: '5s' }`)).rejects.toThrow(`cannot connect to ${secure.address}`);
    } finally {
      secure.close();
    }
  });

  it('says what is wrong: init-context connect, unknown methods and fields, refused connections, remote hosts', async () => {
    const setupOf = (name: string, body: string, init = '') =>
      run(script(name, `import grpc from 'k6/net/grpc';\nconst client = new grpc.Client();\nclient.load([], 'shop.proto');\n${init}\nexport function setup() {\n${body}\n}\nexport default () => {};\n`));
    await expect(setupOf('init.js', '', `client.connect(__ENV.GRPC_ADDR, { plaintext: true });`)).rejects.toThrow('connecting to a gRPC server in the init context is not supported');
    await expect(setupOf('noconn.js', `client.invoke('peakready.shop.v1.Inventory/GetStock', {});`)).rejects.toThrow('no gRPC connection, you must call connect first');
    await expect(setupOf('method.js', `client.connect(__ENV.GRPC_ADDR, { plaintext: true });\nclient.invoke('peakready.shop.v1.Inventory/Nope', {});`)).rejects.toThrow(
      'method "/peakready.shop.v1.Inventory/Nope" not found in file descriptors',
    );
    await expect(setupOf('field.js', `client.connect(__ENV.GRPC_ADDR, { plaintext: true });\nclient.invoke('peakready.shop.v1.Inventory/GetStock', { skew: 'x' });`)).rejects.toThrow(
      'unable to serialise request object to protocol buffer',
    );
    await expect(setupOf('param.js', `client.connect(__ENV.GRPC_ADDR, { plaintext: true, retries: 3 });`)).rejects.toThrow('unknown connect param: "retries"');
    await expect(setupOf('refused.js', `client.connect('127.0.0.1:1', { plaintext: true });`)).rejects.toThrow('cannot connect to 127.0.0.1:1');
    await expect(setupOf('remote.js', `client.connect('10.1.2.3:443');`)).rejects.toThrow('refused gRPC connection to 10.1.2.3');
  });

  it('a call the rewrite could not await (a helper file without the import) fails with the fix, not with undefined', async () => {
    script('lib.js', `export function quantity(client) {\n  const res = client.invoke('peakready.shop.v1.Inventory/GetStock', { sku: 'x' });\n  return res.message.quantity;\n}\n`);
    const file = script(
      'helper.js',
      `import grpc from 'k6/net/grpc';\nimport { quantity } from './lib.js';\nconst client = new grpc.Client();\nclient.load([], 'shop.proto');\nexport function setup() {\n  client.connect(__ENV.GRPC_ADDR, { plaintext: true });\n  return quantity(client);\n}\nexport default () => {};\n`,
    );
    await expect(run(file)).rejects.toThrow("add `import grpc from 'k6/net/grpc';` to the file making the call");
  });
});
