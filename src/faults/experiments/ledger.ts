import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateDir } from '../../paths.js';
import type { ServerToxic } from './client.js';

/**
 * One change peakready made to a Toxiproxy, with the state it found there: undoing it restores
 * exactly that state (restore.ts), never "everything enabled, no toxics".
 */
export type FaultChange =
  /** the proxy was enabled; peakready disabled it */
  | { kind: 'proxy-disabled'; proxy: string }
  /** the proxy was disabled (by someone else, or by an earlier action); peakready enabled it */
  | { kind: 'proxy-enabled'; proxy: string }
  /** peakready added this toxic (named `peakready-...`) */
  | { kind: 'toxic-added'; proxy: string; toxic: ServerToxic }
  /** the toxic was `before`; peakready changed its toxicity or attributes */
  | { kind: 'toxic-updated'; proxy: string; before: ServerToxic }
  /** the toxic was `before`; peakready removed it */
  | { kind: 'toxic-removed'; proxy: string; before: ServerToxic };

/** A change peakready made and has not undone yet. */
export interface LedgerEntry {
  id: string;
  toxiproxyUrl: string;
  experiment: string;
  pid: number;
  t: number;
  change: FaultChange;
}

/** Every toxic peakready adds carries this name prefix, so a later run can find and remove it. */
export const OWNED_PREFIX = 'peakready-';

/**
 * `.peakready/faults-ledger.json`: the changes peakready made and has not undone. An entry is
 * written BEFORE the call that makes the change and removed after the undo, so after a SIGKILL the
 * next command restores what the killed run found (a proxy the user disabled stays disabled, a
 * user's toxic gets its own attributes back).
 */
export function ledgerPath(): string {
  return join(stateDir(), 'faults-ledger.json');
}

export function readLedger(): LedgerEntry[] {
  let data: { changes?: unknown; disabled?: unknown };
  try {
    data = JSON.parse(readFileSync(ledgerPath(), 'utf8')) as typeof data;
  } catch {
    return [];
  }
  const changes = Array.isArray(data.changes) ? (data.changes as LedgerEntry[]) : [];
  // a ledger written before changes were recorded listed only the proxies it disabled
  const legacy = Array.isArray(data.disabled) ? (data.disabled as Array<Omit<LedgerEntry, 'id' | 'change'> & { proxy: string }>) : [];
  return [
    ...legacy.map((e, i) => ({ id: `legacy-${i}`, toxiproxyUrl: e.toxiproxyUrl, experiment: e.experiment, pid: e.pid, t: e.t, change: { kind: 'proxy-disabled' as const, proxy: e.proxy } })),
    ...changes,
  ];
}

function writeLedger(entries: LedgerEntry[]): void {
  const path = ledgerPath();
  mkdirSync(dirname(path), { recursive: true });
  // write-then-rename: a crash mid-write never leaves a torn ledger
  writeFileSync(`${path}.${process.pid}.tmp`, JSON.stringify({ changes: entries }, null, 2) + '\n');
  renameSync(`${path}.${process.pid}.tmp`, path);
}

let sequence = 0;

/** Writes a change down before it is made; returns its entry (give it to `forgetChange` once undone). */
export function recordChange(toxiproxyUrl: string, experiment: string, change: FaultChange): LedgerEntry {
  const entry: LedgerEntry = { id: `${process.pid}-${Date.now()}-${++sequence}`, toxiproxyUrl, experiment, pid: process.pid, t: Date.now(), change };
  writeLedger([...readLedger(), entry]);
  return entry;
}

export function forgetChange(id: string): void {
  const entries = readLedger();
  const kept = entries.filter((e) => e.id !== id);
  if (kept.length !== entries.length) writeLedger(kept);
}
