import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { ExperimentResult } from '../faults/experiments/index.js';
import { defaultGatewayUrl, defaultToxiproxyUrl } from '../faults/experiments/targets.js';
import { RunDirectory } from '../run/run-dir.js';
import { assertLoopbackTarget } from '../util/loopback.js';

interface TargetOptions {
  toxiproxy?: string;
  allowRemote?: boolean;
}

function toxiproxyUrl(options: TargetOptions): string {
  const url = options.toxiproxy ?? defaultToxiproxyUrl();
  assertLoopbackTarget(url, options.allowRemote ?? false, '--toxiproxy');
  return url.replace(/\/+$/, '');
}

export function registerChaos(program: Command): void {
  const chaos = program
    .command('chaos')
    .description('run chaos experiments (with guaranteed rollback) or clear leftover faults')
    .addHelpText('after', '\nExamples:\n  $ npx peakready chaos run chaos/recommendations-outage.yaml\n  $ npx peakready chaos clear\n');
  registerRun(chaos);
  registerClear(chaos);
  registerValidate(chaos);
}

function registerRun(chaos: Command): void {
  chaos
    .command('run <file>')
    .description('check the steady state, inject the faults at their offsets, check again; everything is rolled back at the end')
    .option('--toxiproxy <url>', 'Toxiproxy API (default: the running stack, else http://127.0.0.1:7400)')
    .option('--gateway <url>', 'what ${gateway} means in probes (default: the running stack\'s gateway)')
    .option('--allow-remote', 'allow a Toxiproxy or gateway outside loopback (only systems you own)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready chaos run chaos/recommendations-outage.yaml
  $ npx peakready chaos run chaos/payments-latency.yaml --toxiproxy http://127.0.0.1:8474 --gateway http://127.0.0.1:7100`,
    )
    .action(chaosRunCommand);
}

function registerClear(chaos: Command): void {
  chaos
    .command('clear')
    .description('undo what a killed run changed: remove the toxics peakready added, re-enable the proxies it disabled, put back what it found (a proxy you disabled stays disabled)')
    .option('--toxiproxy <url>', 'Toxiproxy API (default: the running stack, else http://127.0.0.1:7400)')
    .option('--allow-remote', 'allow a Toxiproxy outside loopback')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready chaos clear
  $ npx peakready chaos clear --toxiproxy http://127.0.0.1:8474`,
    )
    .action(async (options: TargetOptions) => {
      const { clearOwnedFaults } = await import('../faults/experiments/index.js');
      const cleared = await clearOwnedFaults(toxiproxyUrl(options));
      const what = [...cleared.toxicsRemoved.map((t) => `removed toxic ${t}`), ...cleared.proxiesEnabled.map((p) => `enabled proxy ${p}`), ...cleared.restored];
      process.stdout.write(what.length ? what.map((w) => `peakready: ${w}\n`).join('') : 'peakready: no faults of ours were left\n');
    });
}

function registerValidate(chaos: Command): void {
  chaos
    .command('validate <files...>')
    .description('check experiment files without running them (every file is checked; exit 2 if any is bad)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready chaos validate chaos/*.yaml
  $ npx peakready chaos validate my-experiment.yaml`,
    )
    .action(async (files: string[]) => {
      const { loadExperiment } = await import('../faults/experiments/index.js');
      const problems: ConfigIssue[] = [];
      for (const file of files) {
        try {
          process.stdout.write(`peakready: ${file}: ok (${loadExperiment(file).title})\n`);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          problems.push(...error.issues);
        }
      }
      if (problems.length) throw new ConfigError(problems);
    });
}

/** Clears what an earlier run left, runs the experiment into a new run directory, prints the result. */
async function chaosRunCommand(file: string, options: TargetOptions & { gateway?: string }): Promise<void> {
  const { clearOwnedFaults, loadExperiment, runExperiment } = await import('../faults/experiments/index.js');
  const experiment = loadExperiment(file);
  const url = toxiproxyUrl(options);
  const gateway = options.gateway ?? defaultGatewayUrl();
  assertLoopbackTarget(gateway, options.allowRemote ?? false, '--gateway');
  const leftovers = await clearOwnedFaults(url);
  const cleared = [...leftovers.toxicsRemoved, ...leftovers.proxiesEnabled.map((p) => `${p} (enabled)`), ...leftovers.restored];
  if (cleared.length) {
    process.stderr.write(`peakready: cleared faults left by an earlier run: ${cleared.join(', ')}\n`);
  }
  const run = RunDirectory.create('chaos');
  run.writeJson('config', { command: 'chaos run', file, toxiproxyUrl: url, gateway });
  run.appendTimeline({ t: Date.now(), type: 'run', state: 'start', command: `chaos run ${file}` });
  process.stdout.write(`peakready: ${experiment.title} (run ${run.id})\n`);
  const { formatChaosProgress } = await import('../faults/experiments/probe-feed.js');
  const { liveLine } = await import('./live-line.js');
  // on a terminal a spinner with the probes so far; elsewhere a plain line at most every 10 s
  const live = liveLine({ plainEveryMs: 10_000, plainPrefix: 'peakready: ', initialText: 'probing the steady state' });
  const result = await runExperiment(experiment, {
    toxiproxyUrl: url,
    runDir: run,
    vars: { gateway: gateway.replace(/\/+$/, '') },
    log: (line) => live.log(line, process.stdout),
    onProgress: (p) => live.show(formatChaosProgress(p)),
  }).finally(() => live.stop());
  run.appendTimeline({ t: Date.now(), type: 'run', state: 'end', command: `chaos run ${file}` });
  // its own file: checks.json holds CheckResult[] for `peakready report`
  writeFileSync(join(run.root, 'chaos-result.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(formatResult(result));
  if (result.status !== 'ok') process.exitCode = ExitCode.checkFailed;
}

function formatResult(r: ExperimentResult): string {
  const lines = [`\nresult: ${r.status.toUpperCase()}${r.error ? ` (${r.error})` : ''} in ${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s`];
  for (const stage of ['before', 'during', 'after'] as const) {
    const probes = r.probes.filter((p) => p.stage === stage);
    if (!probes.length) continue;
    const failed = probes.filter((p) => !p.ok);
    const skipped = probes.filter((p) => p.skipped);
    const judged = probes.length - skipped.length;
    const skips = skipped.length ? `; skipped: ${[...new Set(skipped.map((p) => p.probe))].join(', ')}` : '';
    lines.push(`  ${stage.padEnd(6)} ${judged - failed.length}/${judged} probes ok${failed.length ? `; failed: ${[...new Set(failed.map((p) => `${p.probe} (${p.detail})`))].join(', ')}` : ''}${skips}`);
  }
  lines.push(`  rollback: ${r.rollback.toxicsRemoved.length} toxics removed, ${r.rollback.proxiesEnabled.length} proxies re-enabled${r.rollback.restored.length ? `, restored as found: ${r.rollback.restored.join('; ')}` : ''}${r.rollback.errors.length ? `; ERRORS: ${r.rollback.errors.join('; ')}` : ''}`);
  return lines.join('\n') + '\n';
}
