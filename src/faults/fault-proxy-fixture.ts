import { afterAll, beforeAll } from 'vitest';
import { startFaultProxyServer, type FaultProxyServer } from './server.js';
import { echoServer, type TcpPeer } from './tcp-fixtures.js';

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
