import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateDir } from '../../paths.js';

/** One proxy peakready disabled and has not re-enabled yet. */
export interface LedgerEntry {
  toxiproxyUrl: string;
  proxy: string;
  experiment: string;
  pid: number;
  t: number;
}

/** Every toxic peakready adds carries this name prefix, so a later run can find and remove it. */
export const OWNED_PREFIX = 'peakready-';

/**
 * `.peakready/faults-ledger.json`: proxies peakready disabled. An entry is written BEFORE the
 * disable call and removed after the re-enable, so after a SIGKILL the next command knows which
 * proxies are down because of us (and leaves proxies a user disabled alone).
 */
export function ledgerPath(): string {
  return join(stateDir(), 'faults-ledger.json');
}

export function readLedger(): LedgerEntry[] {
  try {
    const data = JSON.parse(readFileSync(ledgerPath(), 'utf8')) as { disabled?: LedgerEntry[] };
    return Array.isArray(data.disabled) ? data.disabled : [];
  } catch {
    return [];
  }
}

function writeLedger(entries: LedgerEntry[]): void {
  const path = ledgerPath();
  mkdirSync(dirname(path), { recursive: true });
  // write-then-rename: a crash mid-write never leaves a torn ledger
  writeFileSync(`${path}.${process.pid}.tmp`, JSON.stringify({ disabled: entries }, null, 2) + '\n');
  renameSync(`${path}.${process.pid}.tmp`, path);
}

export function recordDisabled(entry: LedgerEntry): void {
  const entries = readLedger().filter((e) => !(e.toxiproxyUrl === entry.toxiproxyUrl && e.proxy === entry.proxy));
  writeLedger([...entries, entry]);
}

export function forgetDisabled(toxiproxyUrl: string, proxy: string): void {
  const entries = readLedger();
  const kept = entries.filter((e) => !(e.toxiproxyUrl === toxiproxyUrl && e.proxy === proxy));
  if (kept.length !== entries.length) writeLedger(kept);
}
