import { FaultClient } from './client.js';
import { forgetDisabled, OWNED_PREFIX, readLedger } from './ledger.js';

/** Same server, however the URL was written (trailing slash, localhost vs 127.0.0.1 are kept distinct). */
export function sameServer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/**
 * Removes every toxic peakready added (name prefix `peakready-`) from every proxy at `toxiproxyUrl`
 * and enables every proxy the ledger says peakready disabled there. Safe to run at any time: it
 * is how the next command cleans up after a run that was SIGKILLed.
 */
export async function clearOwnedFaults(toxiproxyUrl: string): Promise<{ toxicsRemoved: string[]; proxiesEnabled: string[] }> {
  const client = new FaultClient(toxiproxyUrl);
  const proxies = await client.proxies();
  const toxicsRemoved: string[] = [];
  const proxiesEnabled: string[] = [];
  for (const proxy of Object.values(proxies)) {
    for (const toxic of proxy.toxics ?? []) {
      if (!toxic.name.startsWith(OWNED_PREFIX)) continue;
      await client.removeToxic(proxy.name, toxic.name);
      toxicsRemoved.push(`${proxy.name}/${toxic.name}`);
    }
  }
  for (const entry of readLedger().filter((e) => sameServer(e.toxiproxyUrl, toxiproxyUrl))) {
    const proxy = proxies[entry.proxy];
    if (proxy && !proxy.enabled) {
      await client.setEnabled(entry.proxy, true);
      proxiesEnabled.push(entry.proxy);
    }
    forgetDisabled(entry.toxiproxyUrl, entry.proxy);
  }
  return { toxicsRemoved, proxiesEnabled };
}

export interface ActiveFaults {
  toxics: Array<{ proxy: string; toxic: string; type: string; stream: string; owned: boolean }>;
  disabledProxies: string[];
}

/** Every toxic and every disabled proxy at `toxiproxyUrl` right now (the drill's clean-up check). */
export async function inspectFaults(toxiproxyUrl: string): Promise<ActiveFaults> {
  const proxies = await new FaultClient(toxiproxyUrl).proxies();
  const result: ActiveFaults = { toxics: [], disabledProxies: [] };
  for (const proxy of Object.values(proxies)) {
    if (!proxy.enabled) result.disabledProxies.push(proxy.name);
    for (const t of proxy.toxics ?? []) {
      result.toxics.push({ proxy: proxy.name, toxic: t.name, type: t.type, stream: t.stream, owned: t.name.startsWith(OWNED_PREFIX) });
    }
  }
  return result;
}
