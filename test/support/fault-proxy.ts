import { afterAll, beforeAll } from 'vitest';
import { startFaultProxyServer, type FaultProxyServer } from '../../src/faults/server.js';
import { echoServer, type TcpPeer } from './tcp-peers.js';

export interface FaultProxyFixture {
  server: FaultProxyServer;
  echo: TcpPeer;
}

/** For a test file: an embedded fault proxy and an echo server, started before its tests and closed after. */
export function useFaultProxy(): FaultProxyFixture {
  const fixture = {} as FaultProxyFixture;
  beforeAll(async () => {
    fixture.server = await startFaultProxyServer({ port: 0 });
    fixture.echo = await echoServer();
  });
  afterAll(async () => {
    await fixture.server.close();
    await fixture.echo.close();
  });
  return fixture;
}

/** Calls the fixture's API, failing on any non-2xx answer; resolves with the JSON body (undefined for 204). */
export async function callApi(fixture: FaultProxyFixture, method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(fixture.server.url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}
