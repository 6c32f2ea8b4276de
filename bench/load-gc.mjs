// The load engine's garbage collection at a paced 5,000 req/s, beside the paced floor
// (load-paced-floor.mjs) in one run against one private nginx: how many young-generation
// collections (scavenges) each ran, how long they paused the thread (median and max), how much of
// the heap they left behind per request (promoted, freed later by a full mark-compact), how many
// mark-compacts ran, and the latency each generator measured. A generator whose scavenges pause
// it for 10-20 ms reports those pauses as its target's latency at p99.
//
//   npm run build && node bench/load-gc.mjs [--seconds 10] [--rounds 2]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { fmt, root, startNginx, writeScript } from './load-common.mjs';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const rate = 5000;
const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-gc-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const nginx = await startNginx();

const script = writeScript(
  dir,
  'paced.js',
  `import http from 'k6/http';
export const options = {
  scenarios: { paced: { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: 250, maxVUs: 2500 } },
  summaryTrendStats: ['med', 'p(99)', 'p(99.9)'],
};
export default function () { http.get(__ENV.URL); }
`,
);

/** Runs node with --trace-gc; returns its GC lines and stdout. */
function traced(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-gc', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}:\n${out.slice(-2000)}`))));
  });
}

/** Scavenge pauses, heap left after each, and mark-compacts, from --trace-gc lines. */
function gcOf(out, requests) {
  const scavenges = [];
  const marks = [];
  for (const line of out.split('\n')) {
    // [pid:0x...]   1234 ms: Scavenge 46.1 (66.6) -> 38.5 (69.1) MB, 13.66 / 0.02 ms  (...)
    const m = /: (Scavenge|Mark-Compact)[^\d]* ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \//.exec(line);
    if (!m) continue;
    (m[1] === 'Scavenge' ? scavenges : marks).push({ before: Number(m[2]), after: Number(m[3]), pause: Number(m[4]) });
  }
  // what a mark-compact freed had been promoted by scavenges since the last one (steady state)
  const freedByMarks = marks.reduce((sum, m) => sum + (m.before - m.after), 0);
  const pauses = scavenges.map((s) => s.pause).sort((a, b) => a - b);
  return {
    scavenges: scavenges.length,
    medianPause: pauses[Math.floor(pauses.length / 2)] ?? 0,
    maxPause: pauses.at(-1) ?? 0,
    marks: marks.length,
    // heap growth across the run plus what mark-compacts freed, per request
    promotedPerRequestKb: (((scavenges.at(-1)?.after ?? 0) - (scavenges[0]?.after ?? 0) + freedByMarks) * 1024) / requests,
  };
}

async function engine() {
  const summary = join(dir, `summary-${Math.random().toString(36).slice(2)}.json`);
  const out = await traced([join(root, 'bench', 'load-engine-runner.mjs'), script, nginx.url, summary]);
  const m = JSON.parse(readFileSync(summary, 'utf8')).metrics;
  return { ...gcOf(out, m.http_reqs.count), p50: m.http_req_duration.med, p99: m.http_req_duration['p(99)'] };
}

async function floor() {
  const out = await traced([join(root, 'bench', 'load-paced-floor.mjs'), nginx.url, String(rate), String(seconds)]);
  const r = JSON.parse(out.split('\n').find((l) => l.startsWith('{')));
  return { ...gcOf(out, r.answered), p50: r.p50Ms, p99: r.p99Ms };
}

console.log(`GC of a paced ${rate} req/s for ${seconds} s, ${rounds} rounds interleaved, nginx ${nginx.url}\n`);
console.log('| generator | round | scavenges | pause median / max ms | promoted KB/req | mark-compacts | latency p50 / p99 ms |');
console.log('|---|---|---|---|---|---|---|');
for (let round = 1; round <= rounds; round++) {
  for (const [name, run] of [['peakready engine', engine], ['paced floor', floor]]) {
    const r = await run();
    console.log(`| ${name} | ${round} | ${r.scavenges} | ${fmt(r.medianPause, 2)} / ${fmt(r.maxPause, 2)} | ${fmt(r.promotedPerRequestKb, 2)} | ${r.marks} | ${fmt(r.p50, 2)} / ${fmt(r.p99, 2)} |`);
  }
}
nginx.stop();
