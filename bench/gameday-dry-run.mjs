#!/usr/bin/env node
// How long `peakready drill --dry-run` takes on the bundled shop's game-day file (goal: under 2 s),
// beside the CLI's own start-up (`peakready --help`) as the floor it cannot go under. Interleaved
// rounds on the same machine; medians and the spread.
//   npm run build && node bench/gameday-dry-run.mjs [--rounds 9]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 9;
const commands = {
  'drill --dry-run (bundled file)': ['drill', '--dry-run'],
  'drill --profile smoke --dry-run': ['drill', '--profile', 'smoke', '--dry-run'],
  'peakready --help (start-up floor)': ['--help'],
};

const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, args] of Object.entries(commands)) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['bin/peakready.js', ...args], { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    times[name].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = median(times['peakready --help (start-up floor)']);
console.log(`${rounds} interleaved rounds`);
for (const [name, xs] of Object.entries(times)) {
  const sorted = [...xs].sort((a, b) => a - b);
  console.log(`${name.padEnd(36)} median ${median(xs).toFixed(0).padStart(5)} ms  (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)})  ${(median(xs) / floor).toFixed(2)}x start-up`);
}
