#!/usr/bin/env node
// The discrimination matrix: does each verdict tell a broken system from a healthy one, and a busy
// rig from a broken system? Smoke drills of the bundled shop, healthy and with each seeded defect,
// then healthy with a CPU burner (a busy loop on one core) beside it, and a real regression
// (PAYMENTS_LATENCY_MS=900) with the burner. Rounds are interleaved (every row once per round), so
// the machine's noise falls on all rows alike. Prints, per row, how many runs FAILED each check
// (and how many were INCONCLUSIVE), and the verdicts.
//   npm run build && node bench/discrimination.mjs [--runs 5] [--rows healthy,inventory-oversell,...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', 5));
const { DEFECT_NAMES } = await import(join(root, 'dist/src/stack/defects.js'));

/** Each row: a drill's flags and environment, and whether a burner runs beside it. */
const allRows = {
  healthy: { flags: [], env: {} },
  ...Object.fromEntries(DEFECT_NAMES.map((d) => [d, { flags: ['--defect', d], env: {} }])),
  'healthy + burner': { flags: [], env: {}, burner: true },
  'PAYMENTS_LATENCY_MS=900 + burner': { flags: [], env: { PAYMENTS_LATENCY_MS: '900' }, burner: true },
};
const wanted = arg('--rows', undefined)?.split(',') ?? Object.keys(allRows);
const rows = Object.fromEntries(wanted.map((name) => {
  if (!allRows[name]) throw new Error(`--rows: no row "${name}" (rows: ${Object.keys(allRows).join(', ')})`);
  return [name, allRows[name]];
}));

/** A busy loop on one core until killed (or 10 minutes, so it always ends by itself). */
function startBurner() {
  return spawn(process.execPath, ['-e', 'const end = Date.now() + 600_000; while (Date.now() < end) {}'], { stdio: 'ignore' });
}

function drill(row) {
  const reportDir = mkdtempSync(join(tmpdir(), 'peakready-discrimination-'));
  const burner = row.burner ? startBurner() : undefined;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/peakready.js', 'drill', '--profile', 'smoke', '--quiet', '--base-port', '21100', '--report', reportDir, ...row.flags], {
      cwd: root,
      env: { ...process.env, ...row.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('exit', (code) => {
      burner?.kill('SIGKILL');
      let report;
      try {
        report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
      } catch {
        report = undefined;
      }
      rmSync(reportDir, { recursive: true, force: true });
      if (!report) console.error(`drill exited ${code} without a report:\n${stderr}`);
      resolve({ code, seconds: (Date.now() - started) / 1000, verdict: report?.verdict ?? 'error', checks: Object.fromEntries((report?.checks ?? []).map((c) => [c.id, c.status])), reasons: (report?.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'inconclusive').map((c) => `${c.id}: ${c.reason}`) });
    });
  });
}

const results = Object.fromEntries(Object.keys(rows).map((name) => [name, []]));
for (let round = 1; round <= runs; round++) {
  for (const [name, row] of Object.entries(rows)) {
    const r = await drill(row);
    results[name].push(r);
    console.error(`round ${round}/${runs} ${name}: ${r.verdict.toUpperCase()} in ${r.seconds.toFixed(0)} s${r.reasons.length ? `\n    ${r.reasons.join('\n    ').slice(0, 1200)}` : ''}`);
  }
}

const checks = ['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup', 'rig'];
const cell = (list, id) => {
  const failed = list.filter((r) => r.checks[id] === 'fail').length;
  const unsure = list.filter((r) => r.checks[id] === 'inconclusive').length;
  return `${failed}/${list.length}${unsure ? ` (${unsure}?)` : ''}`;
};
console.log(`\nFAILED runs per check (n? = INCONCLUSIVE), smoke profile, ${runs} interleaved rounds\n`);
console.log(['row'.padEnd(36), ...checks.map((c) => c.padEnd(10)), 'verdicts'].join(' '));
for (const [name, list] of Object.entries(results)) {
  const verdicts = ['pass', 'fail', 'inconclusive', 'error'].map((v) => [v, list.filter((r) => r.verdict === v).length]).filter(([, n]) => n).map(([v, n]) => `${n} ${v}`).join(', ');
  console.log([name.padEnd(36), ...checks.map((c) => cell(list, c).padEnd(10)), verdicts].join(' '));
}
