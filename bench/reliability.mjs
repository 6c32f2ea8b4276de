#!/usr/bin/env node
// Reliability of a drill that does not reach its end (issue 19), on the built CLI and real processes:
//   node bench/reliability.mjs [--kills 20] [--early 5] [--interrupts 20] [--database 1] [--base-port 24000] [--span 50]
// 1. SIGKILL of `drill --profile smoke` at a random moment (uniform over the first --span seconds
//    after the run directory appeared; --early tries: over its first 4 s, while the stack starts,
//    where issue 19 saw replicas survive): processes and ports left 5 s later, with no command run
//    in between (nothing reaps). Goal: 0 and 0 in every try.
// 2. SIGINT or SIGTERM (alternating) at a random moment of the same span: the run's report.json
//    must exist with verdict "interrupted" naming the signal, the exit code 5, nothing left after.
// 3. The embedded database SIGKILLed 10 s into the load: a `database` event on the timeline, a
//    restart, and an integrity verdict that says what happened (never "a --target run").
// Processes are found without asking peakready: every live process whose environment carries the
// trial's own PEAKREADY_HOME (replicas, the database, watchdogs all inherit it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const KILLS = arg('--kills', 20);
const EARLY = arg('--early', 5);
const INTERRUPTS = arg('--interrupts', 20);
const DATABASE = arg('--database', 1);
const BASE = arg('--base-port', 24_000);
const SPAN_S = arg('--span', 50);
const PORTS = [...Array.from({ length: 10 }, (_, i) => BASE + i), ...Array.from({ length: 10 }, (_, i) => BASE + 100 + i), BASE + 300, BASE + 301, BASE + 302, BASE + 303];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freshHome() {
  return mkdtempSync(join(tmpdir(), 'peakready-reliability-'));
}

function startDrill(home) {
  const env = { ...process.env, PEAKREADY_HOME: home, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.GITHUB_STEP_SUMMARY;
  const child = spawn(process.execPath, ['bin/peakready.js', 'drill', '--profile', 'smoke', '--quiet', '--base-port', String(BASE)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}

function runDir(home) {
  const runs = join(home, 'runs');
  const ids = existsSync(runs) ? readdirSync(runs).sort() : [];
  return ids.length ? join(runs, ids.at(-1)) : undefined;
}

function timeline(dir) {
  const file = dir && join(dir, 'timeline.ndjson');
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/** What the drill was doing at a moment, from its timeline: the last stack or phase event. */
function stepAt(dir) {
  const events = timeline(dir);
  const phase = events.filter((e) => e.type === 'phase' && e.state === 'start').at(-1);
  const ready = events.some((e) => e.type === 'stack' && e.state === 'ready');
  if (!events.length) return 'before the run directory';
  if (!ready) return 'starting the stack';
  if (events.some((e) => e.type === 'stack' && e.state === 'stopping')) return 'stopping';
  return phase ? `load (${phase.phase})` : 'load';
}

function processesWithHome(home) {
  const marker = `PEAKREADY_HOME=${home}\0`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function openPorts() {
  const open = [];
  for (const port of PORTS) if (await listening(port)) open.push(port);
  return open;
}

/** Ends whatever a failed try left (it is then counted), so the next try starts clean. */
function killLeftovers(home) {
  for (const p of processesWithHome(home)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

async function waitForRunDir(home, drill, limitMs = 60_000) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const dir = runDir(home);
    if (dir && timeline(dir).length) return dir;
    if (drill.child.exitCode !== null) return undefined;
    await sleep(50);
  }
  return undefined;
}

/** A smoke drill in a fresh home, at a random moment of the first SPAN_S seconds after its run directory appeared. */
async function drillAtRandomMoment(spanS = SPAN_S) {
  const home = freshHome();
  const drill = startDrill(home);
  const dir = await waitForRunDir(home, drill);
  const delayMs = Math.round(Math.random() * spanS * 1000);
  await sleep(delayMs);
  return { home, drill, dir, delayMs, step: stepAt(dir) };
}

async function killTry(n, spanS = SPAN_S) {
  const { home, drill, delayMs, step } = await drillAtRandomMoment(spanS);
  drill.child.kill('SIGKILL');
  await drill.exited;
  const killedAt = Date.now();
  let zeroAfterMs;
  while (Date.now() - killedAt < 5_000) {
    if (zeroAfterMs === undefined && processesWithHome(home).length === 0) zeroAfterMs = Date.now() - killedAt;
    await sleep(100);
  }
  const processes = processesWithHome(home);
  const ports = await openPorts();
  const row = { n, delayMs, step, processes: processes.length, ports: ports.length, zeroAfterMs: zeroAfterMs ?? null, left: processes.map((p) => p.command) };
  console.log(`kill #${n}: ${(delayMs / 1000).toFixed(1)} s after the run began (${step}): ${processes.length} processes, ${ports.length} ports after 5 s; none left after ${zeroAfterMs ?? '-'} ms${processes.length ? `; left: ${row.left.join(' | ')}` : ''}`);
  killLeftovers(home);
  await waitPortsFree();
  rmSync(home, { recursive: true, force: true });
  return row;
}

async function interruptTry(n) {
  const signal = n % 2 ? 'SIGINT' : 'SIGTERM';
  const { home, drill, dir, delayMs, step } = await drillAtRandomMoment();
  const signalledAt = Date.now();
  drill.child.kill(signal);
  const { code } = await drill.exited;
  const exitMs = Date.now() - signalledAt;
  let report;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  } catch {
    // counted below
  }
  await sleep(500);
  const processes = processesWithHome(home).length;
  const ports = (await openPorts()).length;
  const marked = report?.verdict === 'interrupted' && report.interrupted?.cause === signal;
  const row = { n, signal, delayMs, step, code, exitMs, report: Boolean(report), verdict: report?.verdict ?? null, marked, interrupted: report?.interrupted ?? null, processes, ports };
  const where = report?.interrupted ? `${report.interrupted.step}${report.interrupted.phases?.length ? ` (${report.interrupted.phases.join(',')})` : ''}` : '-';
  console.log(`${signal} #${n}: ${(delayMs / 1000).toFixed(1)} s after the run began (${step}): exit ${code} after ${(exitMs / 1000).toFixed(1)} s, report ${report ? `verdict ${report.verdict}, recorded at ${where}` : 'MISSING'}; ${processes} processes, ${ports} ports left`);
  if (!marked) console.log(drill.output().split('\n').slice(-12).join('\n'));
  killLeftovers(home);
  await waitPortsFree();
  rmSync(home, { recursive: true, force: true });
  return row;
}

async function databaseTry(n) {
  const home = freshHome();
  const drill = startDrill(home);
  const dir = await waitForRunDir(home, drill);
  // 10 s into the load
  while (!timeline(dir).some((e) => e.type === 'phase' && e.state === 'start') && drill.child.exitCode === null) await sleep(100);
  await sleep(10_000);
  const records = readdirSync(join(home, 'pids')).map((f) => JSON.parse(readFileSync(join(home, 'pids', f), 'utf8')));
  const postgres = records.find((r) => r.name === 'postgres');
  process.kill(postgres.pid, 'SIGKILL');
  const { code } = await drill.exited;
  const events = timeline(dir).filter((e) => e.type === 'database');
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  const integrity = byId.integrity;
  const restarted = events.find((e) => e.state === 'restarted');
  const crashed = events.find((e) => e.state === 'crashed');
  const row = {
    n,
    code,
    verdict: report.verdict,
    events: events.map((e) => `${e.state}: ${e.detail}`),
    downMs: crashed && restarted ? restarted.t - crashed.t : null,
    integrity: { status: integrity.status, figure: integrity.figure, reason: integrity.reason ?? null, stored: integrity.details.find((d) => d.name === 'acknowledged orders stored') ?? null },
    checks: report.checks.map((c) => `${c.id}:${c.status}`).join(' '),
    errorRate: report.figures.total.errorRate,
  };
  console.log(`database kill #${n}: exit ${code}, verdict ${report.verdict}; events: ${row.events.join(' / ') || 'NONE'}`);
  console.log(`  integrity ${integrity.status} (${integrity.figure})${integrity.reason ? `: ${integrity.reason}` : ''}; stored: ${JSON.stringify(row.integrity.stored)}`);
  console.log(`  checks ${row.checks}; errors ${(row.errorRate * 100).toFixed(2)} %`);
  killLeftovers(home);
  await waitPortsFree();
  rmSync(home, { recursive: true, force: true });
  return row;
}

async function waitPortsFree() {
  for (let i = 0; i < 50 && (await openPorts()).length; i++) await sleep(200);
}

const results = { kills: [], interrupts: [], database: [] };
for (let n = 1; n <= KILLS; n++) results.kills.push(await killTry(n));
for (let n = 1; n <= EARLY; n++) results.kills.push(await killTry(KILLS + n, 4));
for (let n = 1; n <= INTERRUPTS; n++) results.interrupts.push(await interruptTry(n));
for (let n = 1; n <= DATABASE; n++) results.database.push(await databaseTry(n));

const clean = results.kills.filter((r) => r.processes === 0 && r.ports === 0).length;
const slowest = Math.max(0, ...results.kills.map((r) => r.zeroAfterMs ?? 5_000));
if (results.kills.length) console.log(`\nSIGKILL: ${clean} of ${results.kills.length} left 0 processes and 0 ports 5 s later (slowest to reach 0 processes: ${slowest} ms)`);
const marked = results.interrupts.filter((r) => r.marked && r.code === 5 && r.processes === 0 && r.ports === 0).length;
if (INTERRUPTS) {
  const exits = results.interrupts.map((r) => r.exitMs).sort((a, b) => a - b);
  console.log(`SIGINT/SIGTERM: ${marked} of ${INTERRUPTS} exited 5 with a report marked interrupted by that signal and nothing left (exit after the signal: median ${(exits[Math.floor(exits.length / 2)] / 1000).toFixed(1)} s, max ${(exits.at(-1) / 1000).toFixed(1)} s)`);
}
console.log(JSON.stringify(results));
