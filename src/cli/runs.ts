import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { stateDir } from '../paths.js';
import { listRuns, prunable, removeRuns, type RunEntry } from '../run/run-list.js';
import { readStackState } from '../stack/stack-state.js';
import { parseFlagDuration } from '../util/duration.js';
import { formatBytes } from '../load/metrics/value-format.js';

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('list the stored runs (date, profile, verdict, size) or prune old ones')
    .addHelpText(
      'after',
      `
Runs live in $PEAKREADY_HOME/runs (default ./.peakready/runs); their request, metric and trace
records are gzip-compressed JSON lines (*.ndjson.gz: zcat FILE | jq).

Examples:
  $ npx peakready runs
  $ npx peakready runs prune --keep 10
  $ npx peakready runs prune --older-than 7d --dry-run`,
    );
  runs
    .command('list', { isDefault: true })
    .description('one line per run, oldest first, with the total size')
    .option('--json', 'print the runs as JSON')
    .addHelpText('after', '\nExamples:\n  $ npx peakready runs list\n  $ PEAKREADY_HOME=/var/lib/peakready npx peakready runs list --json\n')
    .action((flags: { json?: boolean }) => {
      const entries = listRuns();
      if (flags.json) return void process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
      process.stdout.write(entries.length ? formatRuns(entries) : `no runs in ${resolve(stateDir(), 'runs')}\n`);
    });
  runs
    .command('prune')
    .description('remove old runs: all but the newest N, or those older than a duration (both: a run must meet both)')
    .option('--keep <n>', 'keep the newest N runs')
    .option('--older-than <duration>', 'remove runs started longer ago than this (7d, 12h; a bare number is seconds)')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .addHelpText('after', "\nThe running stack's run is never removed.\n\nExamples:\n  $ npx peakready runs prune --keep 10\n  $ npx peakready runs prune --older-than 7d --dry-run\n")
    .action((flags: { keep?: string; olderThan?: string; dryRun?: boolean }) => {
      if (flags.keep === undefined && flags.olderThan === undefined) throw new UsageError('runs prune: say what to remove with --keep N and/or --older-than DURATION (e.g. --keep 10, --older-than 7d)');
      const keep = flags.keep === undefined ? undefined : Number(flags.keep);
      if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) throw new UsageError(`--keep: "${flags.keep}" is not a whole number ≥ 0`);
      const olderThanMs = flags.olderThan === undefined ? undefined : parseFlagDuration(flags.olderThan, '--older-than');
      const stackRun = readStackState()?.runDir;
      const doomed = prunable(listRuns(), { ...(keep !== undefined ? { keep } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}), inUse: new Set(stackRun ? [resolve(stackRun)] : []), now: Date.now() });
      const freed = doomed.reduce((sum, r) => sum + r.bytes, 0);
      for (const run of doomed) process.stdout.write(`${flags.dryRun ? 'would remove' : 'removed'} ${run.id} (${formatBytes(run.bytes)})\n`);
      if (!flags.dryRun) removeRuns(doomed);
      process.stdout.write(`${doomed.length} run${doomed.length === 1 ? '' : 's'}, ${formatBytes(freed)} ${flags.dryRun ? 'would be freed' : 'freed'}\n`);
    });
}

export function formatRuns(entries: readonly RunEntry[]): string {
  const rows = entries.map((r) => [r.id, r.startedAt.toISOString().slice(0, 16).replace('T', ' '), r.profile ?? '-', r.verdict ?? '-', formatBytes(r.bytes)]);
  const head = ['RUN', 'STARTED (UTC)', 'PROFILE', 'VERDICT', 'SIZE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const total = entries.reduce((sum, r) => sum + r.bytes, 0);
  return [line(head), ...rows.map(line), `${entries.length} run${entries.length === 1 ? '' : 's'}, ${formatBytes(total)}`].join('\n') + '\n';
}
