import { describe, expect, it } from 'vitest';
import { getService, referenceStack } from './definition.js';
import { databaseHostPort, redactUrl, replicaEnvironment, upstreamUrls, withHostPort } from './environment.js';

const def = referenceStack(7100);
const db = 'postgres://shop:s3cret@db.internal:6543/shop';

describe('edge wiring', () => {
  it('points every edge at its fault proxy, the database URL keeping user, password and name', () => {
    const urls = upstreamUrls(def, { proxied: true, databaseUrl: db });
    expect(urls.catalog).toBe('http://127.0.0.1:7201');
    expect(urls.recommendations).toBe('http://127.0.0.1:7208');
    expect(urls.postgres).toBe('postgres://shop:s3cret@127.0.0.1:7209/shop');
  });

  it('points straight at the balancers and the database without a fault proxy', () => {
    const urls = upstreamUrls(def, { proxied: false, databaseUrl: db });
    expect(urls.catalog).toBe('http://127.0.0.1:7101');
    expect(urls.postgres).toBe(db);
  });

  it('reads and rewrites database host and port; redacts passwords', () => {
    expect(databaseHostPort(db)).toEqual({ host: 'db.internal', port: 6543 });
    expect(databaseHostPort('postgres://u@[::1]/x')).toEqual({ host: '::1', port: 5432 });
    expect(withHostPort(db, '127.0.0.1', 1)).toBe('postgres://shop:s3cret@127.0.0.1:1/shop');
    expect(redactUrl(db)).toBe('postgres://shop:***@db.internal:6543/shop');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('replica environment (the contract)', () => {
  const urls = upstreamUrls(def, { proxied: true, databaseUrl: db });
  const inherited = { PATH: '/bin', PAYMENTS_LATENCY_MS: '5', PORT: '9999', DATABASE_URL: 'postgres://stray', CATALOG_URL: 'http://stray' };

  it('gives a service its contract variables, its upstreams only, and the user overrides of its defaults', () => {
    const env = replicaEnvironment({ service: getService(def, 'payments'), replicaId: 'payments-3', urls, otlpEndpoint: 'http://127.0.0.1:7401', inherited });
    expect(env).toMatchObject({
      SERVICE_NAME: 'payments',
      REPLICA_ID: 'payments-3',
      PORT: '0',
      HOST: '127.0.0.1',
      OTEL_SERVICE_NAME: 'payments',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7401',
      CPU_REQUEST_MILLICORES: '200',
      DATABASE_URL: 'postgres://shop:s3cret@127.0.0.1:7209/shop',
      DB_SCHEMA: 'payments',
      PAYMENTS_LATENCY_MS: '5', // the user's environment beats the definition's default (20)
      PAYMENTS_FAILURE_RATE: '0',
      PATH: '/bin',
    });
    expect(env.CATALOG_URL).toBeUndefined(); // a stray variable from the shell does not rewire the stack
    expect(env.OTEL_SDK_DISABLED).toBeUndefined();
  });

  it('wires the gateway to its six upstreams and no database; tracing off is OTEL_SDK_DISABLED', () => {
    const env = replicaEnvironment({ service: getService(def, 'gateway'), replicaId: 'gateway-1', urls, otlpEndpoint: false, inherited, extra: { LOG_LEVEL: 'debug' } });
    expect(Object.keys(env).filter((k) => k.endsWith('_URL')).sort()).toEqual(['CART_URL', 'CATALOG_URL', 'CHECKOUT_URL', 'ORDERS_URL', 'RECOMMENDATIONS_URL', 'SEARCH_URL']);
    expect(env.CHECKOUT_URL).toBe('http://127.0.0.1:7204');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.OTEL_SDK_DISABLED).toBe('true');
    expect(env.LOG_LEVEL).toBe('debug');
  });
});
