import type { FaultClient, ServerToxic } from './client.js';
import type { FaultChange } from './ledger.js';

/** What undoing one change did: `restored` (a call was made), `as-found` (already in the found state), `gone` (the proxy no longer exists). */
export type RestoreOutcome = 'restored' | 'as-found' | 'gone';

/**
 * Puts back the state a change found, judged by what the server holds now, so it is safe to run
 * twice or after a call that may not have happened (a run killed mid-call): a proxy peakready
 * disabled is enabled only if it is still disabled; one it enabled is disabled again; a user's
 * toxic gets back its own toxicity and attributes, or is added back if it is missing.
 */
export async function restoreChange(client: FaultClient, change: FaultChange): Promise<RestoreOutcome> {
  const proxy = (await client.proxies())[change.proxy];
  if (!proxy) return 'gone';
  const present = (name: string): ServerToxic | undefined => proxy.toxics.find((t) => t.name === name);
  switch (change.kind) {
    case 'proxy-disabled':
      if (proxy.enabled) return 'as-found';
      await client.setEnabled(change.proxy, true);
      return 'restored';
    case 'proxy-enabled':
      if (!proxy.enabled) return 'as-found';
      await client.setEnabled(change.proxy, false);
      return 'restored';
    case 'toxic-added':
      if (!present(change.toxic.name)) return 'as-found';
      await client.removeToxic(change.proxy, change.toxic.name);
      return 'restored';
    case 'toxic-updated': {
      const now = present(change.before.name);
      if (!now) {
        await client.addToxic(change.proxy, change.before);
        return 'restored';
      }
      if (sameSettings(now, change.before)) return 'as-found';
      await client.updateToxic(change.proxy, change.before.name, { toxicity: change.before.toxicity, attributes: change.before.attributes });
      return 'restored';
    }
    case 'toxic-removed':
      // one of that name there again (someone added it back): theirs now, left alone
      if (present(change.before.name)) return 'as-found';
      await client.addToxic(change.proxy, change.before);
      return 'restored';
  }
}

/** How a change is named in logs, `chaos clear` and the rollback report. */
export function describeChange(change: FaultChange): string {
  switch (change.kind) {
    case 'proxy-disabled':
      return `proxy ${change.proxy} enabled again`;
    case 'proxy-enabled':
      return `proxy ${change.proxy} disabled again (as found)`;
    case 'toxic-added':
      return `toxic ${change.proxy}/${change.toxic.name} removed`;
    case 'toxic-updated':
      return `toxic ${change.proxy}/${change.before.name} restored to ${JSON.stringify({ toxicity: change.before.toxicity, ...change.before.attributes })}`;
    case 'toxic-removed':
      return `toxic ${change.proxy}/${change.before.name} added back`;
  }
}

function sameSettings(a: ServerToxic, b: ServerToxic): boolean {
  return a.toxicity === b.toxicity && JSON.stringify(sortedEntries(a.attributes)) === JSON.stringify(sortedEntries(b.attributes));
}

function sortedEntries(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort(([x], [y]) => x.localeCompare(y));
}
