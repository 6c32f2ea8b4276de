import { Toxiproxy } from 'toxiproxy-node-client';
import { EnvironmentError } from '../errors.js';
import { startFaultProxyServer } from '../faults/server.js';
import { proxiedUpstreams, proxyPort, servicePort, type StackDefinition, type UpstreamName } from '../stack/definition.js';

/**
 * The stack's fault proxies: one named Toxiproxy proxy per upstream, created through the ordinary
 * Toxiproxy client against either the embedded Toxiproxy-compatible server or a real Toxiproxy.
 * The supervisor only creates and removes the proxies; faults are the chaos runner's business.
 */

export interface FaultProxyApi {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Starts the embedded Toxiproxy-compatible server (src/faults/server.ts) in this process. */
export async function startEmbeddedFaultProxy(host: string, port: number): Promise<FaultProxyApi> {
  const server = await startFaultProxyServer({ host, port });
  return { url: server.url, embedded: true, close: () => server.close() };
}

/** Checks that a user's Toxiproxy answers before the stack relies on it. */
export async function connectFaultProxy(url: string): Promise<FaultProxyApi> {
  try {
    await new Toxiproxy(url).getVersion();
  } catch (error) {
    throw new EnvironmentError(
      `cannot reach Toxiproxy at ${url} (${(error as Error).message}); start it (\`toxiproxy-server\`), fix --toxiproxy, ` +
        'or leave it out to use the embedded fault proxy',
      { cause: error },
    );
  }
  return { url, embedded: false, close: async () => undefined };
}

/** Each upstream's proxy: name, where it listens, where it forwards. */
export function edgeProxySpecs(def: StackDefinition, database: { host: string; port: number }): Array<{ name: UpstreamName; listen: string; upstream: string }> {
  return proxiedUpstreams(def).map((name) => ({
    name,
    listen: `127.0.0.1:${proxyPort(def, name)}`,
    upstream: name === 'postgres' ? `${hostForUpstream(database.host)}:${database.port}` : `127.0.0.1:${servicePort(def, name)}`,
  }));
}

function hostForUpstream(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Creates (or, as Toxiproxy's /populate does, replaces) every edge proxy in one call. */
export async function createEdgeProxies(api: FaultProxyApi, specs: ReturnType<typeof edgeProxySpecs>): Promise<void> {
  try {
    await new Toxiproxy(api.url).populate(specs.map((s) => ({ ...s, enabled: true })));
  } catch (error) {
    throw new EnvironmentError(
      `could not create the stack's fault proxies at ${api.url} (${(error as Error).message}); a proxy port ` +
        `(${specs.map((s) => s.listen.split(':').pop()).join(', ')}) may be taken, move the stack with --base-port`,
      { cause: error },
    );
  }
}

/** Removes our proxies from a user's Toxiproxy, so none keeps listening after the stack stops. */
export async function removeEdgeProxies(url: string, names: readonly string[]): Promise<void> {
  const client = new Toxiproxy(url);
  await Promise.all(
    names.map(async (name) => {
      try {
        await (await client.get(name)).remove();
      } catch {
        // already gone
      }
    }),
  );
}
