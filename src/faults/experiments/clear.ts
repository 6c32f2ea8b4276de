import { FaultClient } from './client.js';
import { forgetChange, OWNED_PREFIX, readLedger } from './ledger.js';
import { describeChange, restoreChange } from './restore.js';

/** Same server, however the URL was written (trailing slash, localhost vs 127.0.0.1 are kept distinct). */
export function sameServer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

export interface ClearedFaults {
  toxicsRemoved: string[];
  proxiesEnabled: string[];
  /** other states put back as a killed run found them (a user's toxic, a proxy it found disabled) */
  restored: string[];
}

/**
 * Undoes, newest first, every change the ledger lists at `toxiproxyUrl` (restoring the state each
 * found: a proxy the user had disabled stays disabled), then removes every toxic peakready added
 * (name prefix `peakready-`). Safe to run at any time: it is how the next command cleans up after
 * a run that was SIGKILLed.
 */
export async function clearOwnedFaults(toxiproxyUrl: string): Promise<ClearedFaults> {
  const client = new FaultClient(toxiproxyUrl);
  const cleared: ClearedFaults = { toxicsRemoved: [], proxiesEnabled: [], restored: [] };
  await client.proxies(); // an unreachable server fails here, with the fix, before the ledger is read
  for (const { id, change } of readLedger().filter((e) => sameServer(e.toxiproxyUrl, toxiproxyUrl)).reverse()) {
    if ((await restoreChange(client, change)) === 'restored') {
      if (change.kind === 'proxy-disabled') cleared.proxiesEnabled.push(change.proxy);
      else if (change.kind === 'toxic-added') cleared.toxicsRemoved.push(`${change.proxy}/${change.toxic.name}`);
      else cleared.restored.push(describeChange(change));
    }
    forgetChange(id);
  }
  for (const proxy of Object.values(await client.proxies())) {
    for (const toxic of proxy.toxics ?? []) {
      if (!toxic.name.startsWith(OWNED_PREFIX)) continue;
      await client.removeToxic(proxy.name, toxic.name);
      cleared.toxicsRemoved.push(`${proxy.name}/${toxic.name}`);
    }
  }
  return cleared;
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
