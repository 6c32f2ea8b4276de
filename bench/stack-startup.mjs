// Figure: time from `peakready up` to "stack ready" for the whole reference stack (nine
// services, one replica each, every edge through the embedded fault proxy). Goal: <= 10 s.
//
// Side by side in one run: the default embedded database (PGlite, from the cached template) and
// the real one (Debian's PostgreSQL via --database-url), plus one cold start of the default (an
// empty template cache: PGlite's initdb included), so the ratio shows what the database costs.
//
//   node bench/stack-startup.mjs [--runs 5] [--base-port 30100] [--no-cold]
//
// Needs a build (`npm run build`). Other work on the machine slows every start alike; the load
// average is printed with the figures.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'peakready.js');
const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(flag('--runs', '5'));
const basePort = Number(flag('--base-port', '30100'));
const databaseUrl = process.env.PEAKREADY_TEST_DATABASE_URL ?? 'postgres://peakready:peakready@127.0.0.1:5432/peakready';

let activeHome;
async function down(home) {
  await run(process.execPath, [bin, 'down'], { env: { ...process.env, PEAKREADY_HOME: home }, cwd: root }).catch(() => undefined);
}
process.on('SIGINT', async () => {
  if (activeHome) await down(activeHome);
  process.exit(130);
});

/** One `up --detach` to ready, then `down`. Returns wall ms, the database's part, and down ms. */
async function once(extraArgs, extraEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), 'peakready-bench-'));
  activeHome = home;
  const env = { ...process.env, ...extraEnv, PEAKREADY_HOME: home };
  delete env.DATABASE_URL;
  const started = performance.now();
  let cliCpu = NaN;
  try {
    // GNU time reports the CLI's own CPU (user + system) on stderr's last line
    const { stderr } = await run('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, bin, 'up', '--detach', '--base-port', String(basePort), ...extraArgs], {
      env,
      cwd: root,
      timeout: 180_000,
    });
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
    if (m) cliCpu = Number(m[1]) + Number(m[2]);
  } catch (error) {
    await down(home);
    throw new Error(`up failed: ${error.stderr || error.message}`);
  }
  const upMs = performance.now() - started;
  const stackCpu = cpuOfStack(home);
  const runDir = join(home, 'runs', readdirSync(join(home, 'runs'))[0]);
  const note = readFileSync(join(runDir, 'timeline.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'note' && /^database ready after/.test(e.message));
  const dbMs = note ? Number(/after (\d+) ms/.exec(note.message)[1]) : NaN;
  const stopStarted = performance.now();
  await down(home);
  const downMs = performance.now() - stopStarted;
  activeHome = undefined;
  rmSync(home, { recursive: true, force: true });
  return { upMs, dbMs, downMs, cpuS: cliCpu + stackCpu };
}

/** CPU seconds used so far by the supervisor and every child it recorded in PEAKREADY_HOME/pids/. */
function cpuOfStack(home) {
  const state = JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8'));
  const pids = [state.supervisorPid, ...readdirSync(join(home, 'pids')).map((f) => Number(f.replace('.json', '')))];
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // exited
    }
  }
  return ticks / 100; // USER_HZ
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secs = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');

const variants = [
  { name: 'embedded PGlite (default)', args: [] },
  { name: 'PostgreSQL --database-url', args: ['--database-url', databaseUrl] },
];
const results = new Map(variants.map((v) => [v.name, []]));
console.log(`peakready stack startup: ${runs} runs per variant, interleaved; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

let cold;
if (!args.includes('--no-cold')) {
  const cache = mkdtempSync(join(tmpdir(), 'peakready-bench-cache-'));
  cold = await once([], { XDG_CACHE_HOME: cache });
  rmSync(cache, { recursive: true, force: true });
  console.log(`cold start (empty PGlite template cache): ${secs(cold.upMs)} s (database ready after ${secs(cold.dbMs)} s, CPU ${cold.cpuS.toFixed(2)} s)`);
}
for (let i = 0; i < runs; i++) {
  for (const v of variants) {
    const r = await once(v.args);
    results.get(v.name).push(r);
    console.log(`run ${i + 1} ${v.name}: up ${secs(r.upMs)} s (database ${secs(r.dbMs)} s, CPU ${r.cpuS.toFixed(2)} s), down ${secs(r.downMs)} s`);
  }
}

console.log('\nvariant                      median up   min     max     median db   median down   median CPU');
for (const v of variants) {
  const rs = results.get(v.name);
  const ups = rs.map((r) => r.upMs);
  console.log(
    `${v.name.padEnd(28)} ${secs(median(ups)).padStart(7)} s ${secs(Math.min(...ups)).padStart(6)} s ${secs(Math.max(...ups)).padStart(6)} s ` +
      `${secs(median(rs.map((r) => r.dbMs))).padStart(8)} s ${secs(median(rs.map((r) => r.downMs))).padStart(9)} s ` +
      `${median(rs.map((r) => r.cpuS)).toFixed(2).padStart(9)} s`,
  );
}
const [a, b] = variants.map((v) => median(results.get(v.name).map((r) => r.upMs)));
const cpu = median(results.get(variants[0].name).map((r) => r.cpuS));
console.log(`\nratio embedded / PostgreSQL (median up): ${(a / b).toFixed(2)}; goal: default <= 10 s -> ${a <= 10_000 ? 'met' : 'NOT met'} at this load`);
console.log(`CPU to ready (load-independent): ${cpu.toFixed(2)} s, i.e. >= ${(cpu / cpus().length).toFixed(1)} s of wall time on ${cpus().length} idle cores`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
