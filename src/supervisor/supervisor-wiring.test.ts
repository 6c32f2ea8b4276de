import { describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startFaultProxyServer } from '../faults/server.js';
import { proxiedUpstreams, proxyPort, servicePort } from '../stack/definition.js';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { startStack } from './supervisor.js';
import { isListening, privateStateDir, TEST_DATABASE_URL } from '../../test/support/stack.js';

const BASE = 28_300;

async function via(gatewayUrl: string, upstream: string): Promise<string> {
  return ((await (await fetch(`${gatewayUrl}/call/${upstream}`)).json()) as { via: string }).via;
}

describe('edge wiring', () => {
  it('through a user-run Toxiproxy (--toxiproxy): proxies created there, removed again at stop', async () => {
    privateStateDir();
    // a Toxiproxy-compatible server the stack does not own, on a port outside the stack's range
    const external = await startFaultProxyServer({ host: '127.0.0.1', port: 0 });
    try {
      const stack = await startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, toxiproxyUrl: external.url });
      try {
        expect(stack.toxiproxyUrl).toBe(external.url);
        expect(await isListening(BASE + 300)).toBe(false); // no embedded server
        const proxies = await new Toxiproxy(external.url).getAll();
        expect(Object.keys(proxies).sort()).toEqual(proxiedUpstreams(stack.definition));
        expect(proxies.search!.listen).toBe(`127.0.0.1:${proxyPort(stack.definition, 'search')}`);
        expect(await via(stack.gatewayUrl, 'search')).toBe(`http://127.0.0.1:${proxyPort(stack.definition, 'search')}`);
      } finally {
        await stack.stop();
      }
      expect(Object.keys(await new Toxiproxy(external.url).getAll())).toEqual([]);
      expect(await isListening(proxyPort(fixtureStack(BASE), 'search'))).toBe(false);
    } finally {
      await external.close();
    }
  });

  it('an unreachable --toxiproxy is one clear line', async () => {
    privateStateDir();
    await expect(startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, toxiproxyUrl: 'http://127.0.0.1:1' })).rejects.toThrow(
      /^cannot reach Toxiproxy at http:\/\/127\.0\.0\.1:1 .*start it .*fix --toxiproxy/,
    );
    expect(await isListening(BASE)).toBe(false);
  });

  it('without a fault proxy (--no-fault-proxy) edges go straight to the balancers', async () => {
    privateStateDir();
    const stack = await startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, faultProxy: false });
    try {
      expect(stack.toxiproxyUrl).toBeUndefined();
      expect(await via(stack.gatewayUrl, 'orders')).toBe(`http://127.0.0.1:${servicePort(stack.definition, 'orders')}`);
      for (const upstream of proxiedUpstreams(stack.definition)) expect(await isListening(proxyPort(stack.definition, upstream))).toBe(false);
    } finally {
      await stack.stop();
    }
  });
});
