#!/usr/bin/env node
// Wall time of the drill on this machine, and stability: the same verdict on consecutive runs.
//   node bench/drill-wall-time.mjs [--profile smoke|black-friday|both] [--repeat N]
// Goals (issue 7): black-friday <= 4 min, smoke <= 60 s; N consecutive drills give the same verdict.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const which = arg('--profile', 'both');
const repeat = Number(arg('--repeat', '1'));
const profiles = which === 'both' ? ['smoke', 'black-friday'] : [which];
const goals = { smoke: 60, 'black-friday': 240 };

const rows = [];
for (const profile of profiles) {
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    const res = spawnSync(process.execPath, ['bin/peakready.js', 'drill', '--profile', profile, '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 15 * 60_000,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const runs = join(root, '.peakready', 'runs');
    const newest = readdirSync(runs).sort().at(-1);
    let checks = [];
    try {
      checks = JSON.parse(readFileSync(join(runs, newest, 'checks.json'), 'utf8'));
    } catch {
      // no checks: the drill failed before judging
    }
    const verdict = res.status === 0 ? 'pass' : res.status === 1 ? 'fail' : `error(${res.status})`;
    const perCheck = checks.map((c) => `${c.id}:${c.status}`).join(' ');
    rows.push({ profile, run: i + 1, seconds, verdict, perCheck });
    console.log(`${profile} #${i + 1}: ${seconds.toFixed(1)} s (goal <= ${goals[profile]} s) verdict ${verdict}  ${perCheck}`);
    if (res.status !== 0 && res.status !== 1) console.log(res.stderr.split('\n').slice(-15).join('\n'));
  }
}
for (const profile of profiles) {
  const mine = rows.filter((r) => r.profile === profile);
  const same = new Set(mine.map((r) => r.verdict + '|' + r.perCheck)).size === 1;
  const median = mine.map((r) => r.seconds).sort((a, b) => a - b)[Math.floor(mine.length / 2)];
  console.log(`${profile}: median ${median.toFixed(1)} s / goal ${goals[profile]} s = ${(median / goals[profile]).toFixed(2)} of the budget; ${mine.length} runs, ${same ? 'same verdict every time' : 'VERDICTS DIFFER'}`);
}
