// The load runtime's figures, side by side in one run against one private nginx on loopback:
//   1. generator CPU per request at a fixed 5,000 req/s: peakready (sync and async script)
//      vs autocannon -R vs wrk (no rate flag: measured at its max, per-request CPU still compares)
//      vs the paced floor (load-paced-floor.mjs: raw sockets, a timer per arrival, nothing else),
//      with each one's latency: autocannon -R sends each second's requests in a burst, so how
//      evenly a generator spreads them shows in its p99
//   2. max req/s at 50 connections: peakready vs autocannon vs wrk
//   3. arrival-rate accuracy at 1,000 and 5,000 iterations/s
//   4. resident memory of 5,000 VUs of constant-vus with sleep(1)
// and what one wake-up of an idle Node thread costs here (load-wake-cost.mjs), which is what pacing costs
// CPU is user+sys of each generator's whole process tree. Run: `npm run build && node bench/load-runtime.mjs`
// (BENCH_SECONDS=5 for a quick pass; BENCH_ROUNDS runs, best kept, default 2). Writes bench/load-results.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autocannon, exportedRequests, fmt, measure, peakready, root, runWithPeakRss, startNginx, writeScript } from './load-common.mjs';

const engineRunner = join(root, 'bench', 'load-engine-runner.mjs');
const pacedFloor = join(root, 'bench', 'load-paced-floor.mjs');
const wakeCost = join(root, 'bench', 'load-wake-cost.mjs');

const S = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const S2 = Math.max(3, Math.round(S / 2));
const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-load-'));
const nginx = await startNginx();
const out = (name) => join(dir, name);
const lines = [];
const log = (line = '') => {
  lines.push(line);
  console.log(line);
};

const vusScript = (name, seconds, asyncStyle = false) =>
  writeScript(
    dir,
    name,
    `import http from 'k6/http';
export const options = { vus: 50, duration: '${seconds}s' };
${asyncStyle ? "export default async function () { await http.asyncRequest('GET', __ENV.URL); }" : 'export default function () { http.get(__ENV.URL); }'}
`,
  );
const rateScript = (name, rate, seconds, asyncStyle = false) =>
  writeScript(
    dir,
    name,
    `import http from 'k6/http';
export const options = {
  scenarios: { fixed: { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: ${Math.ceil(rate / 20)}, maxVUs: ${Math.ceil(rate / 2)} } },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};
${asyncStyle ? "export default async function () { await http.asyncRequest('GET', __ENV.URL); }" : 'export default function () { http.get(__ENV.URL); }'}
`,
  );
const sleepScript = writeScript(dir, 'sleepers.js', `import { sleep } from 'k6';\nexport const options = { vus: 5000, duration: '${S}s' };\nexport default function () { sleep(1); }\n`);

/** peakready on a script whose scenario lasts `seconds`: through the CLI, or the engine API alone. */
async function runPeakready(script, seconds, { cli = false, extraArgs = [] } = {}) {
  const summary = out(`summary-${Math.random().toString(36).slice(2)}.json`);
  const args = cli
    ? [peakready, 'run', script, '--quiet', '-e', `URL=${nginx.url}`, '--summary-export', summary, ...extraArgs]
    : [engineRunner, script, nginx.url, summary];
  const r = await measure('node', args, { outFile: out('peakready.out') });
  if (r.rc !== 0) throw new Error(`peakready exited ${r.rc}:\n${r.output.slice(-2000)}`);
  const req = exportedRequests(summary);
  return { ...r, requests: req.count, rate: req.count / seconds, iterations: req.iterations, dropped: req.dropped, p50Ms: req.p50Ms, p99Ms: req.p99Ms };
}

const leastCpuPerRequest = (a, b) => a.cpuSeconds / a.requests < b.cpuSeconds / b.requests;
const mostRequestsPerSecond = (a, b) => a.rate > b.rate;

/** Runs each generator ROUNDS times, interleaved, and keeps each one's best round. */
async function bestOf(generators, better = leastCpuPerRequest) {
  const best = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(generators)) {
      const r = await run();
      if (!best[name] || better(r, best[name])) best[name] = r;
    }
  }
  return best;
}

async function runAutocannon(args) {
  const r = await measure('node', [autocannon, '-j', ...args, nginx.url], { outFile: out('autocannon.out') });
  const json = JSON.parse(r.output.slice(r.output.indexOf('{')));
  const total = json.requests.total ?? json['2xx'];
  return { ...r, requests: total, rate: total / json.duration, p50Ms: json.latency.p50, p99Ms: json.latency.p99 };
}

async function runWrk(seconds, threads) {
  const r = await measure('wrk', ['--latency', '-t', String(threads), '-c', '50', '-d', `${seconds}s`, nginx.url], { outFile: out('wrk.out') });
  const m = /(\d+) requests in ([\d.]+)(\w+)/.exec(r.output);
  const total = Number(m[1]);
  const secs = Number(m[2]) * (m[3] === 'm' ? 60 : m[3] === 'ms' ? 0.001 : 1);
  // --latency: "     50%  123.00us" lines
  const percentile = (p) => {
    const hit = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(r.output);
    return hit ? Number(hit[1]) * (hit[2] === 'us' ? 0.001 : hit[2] === 's' ? 1000 : 1) : undefined;
  };
  return { ...r, requests: total, rate: total / secs, p50Ms: percentile(50), p99Ms: percentile(99) };
}

async function runPacedFloor(rate, seconds) {
  const r = await measure('node', [pacedFloor, nginx.url, String(rate), String(seconds)], { outFile: out('floor.out') });
  if (r.rc !== 0) throw new Error(`load-paced-floor exited ${r.rc}:\n${r.output.slice(-2000)}`);
  const json = JSON.parse(r.output.trim().split('\n').at(-1));
  return { ...r, requests: json.answered, rate: json.answered / seconds, p50Ms: json.p50Ms, p99Ms: json.p99Ms };
}

const perReq = (r) => (r.cpuSeconds / r.requests) * 1e6;
const ms = (v) => (v === undefined ? '–' : fmt(v, 2));
const row = (name, r, base) =>
  `| ${name} | ${fmt(r.rate, 0)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(perReq(r), 1)} | ${base ? fmt(perReq(r) / perReq(base), 2) + 'x' : ''} | ${ms(r.p50Ms)} / ${ms(r.p99Ms)} |`;

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
log(`# Load runtime figures (${new Date().toISOString()}, ${S} s runs, nginx ${nginx.url}, load average at start ${loadAverage()})`);
log();
log(`## 1. Generator CPU per request at a fixed 5,000 req/s for ${S} s`);
const f1 = await bestOf({
  engineSync: () => runPeakready(rateScript('rate5000.js', 5000, S), S),
  engineAsync: () => runPeakready(rateScript('rate5000-async.js', 5000, S, true), S),
  cliSync: () => runPeakready(rateScript('rate5000.js', 5000, S), S, { cli: true }),
  autocannon: () => runAutocannon(['-c', '50', '-R', '5000', '-d', String(S)]),
  wrk: () => runWrk(S, 1),
  floor: () => runPacedFloor(5000, S),
});
// what one wake-up of an idle Node thread costs here: a bare 1 ms timer loop (in-process CPU, start-up excluded)
const wake = await measure('node', [wakeCost, '1', String(Math.min(S, 5))], { outFile: out('wake.out') });
const wakeUs = JSON.parse(wake.output.trim().split('\n').at(-1)).cpuPerWakeUs;
log('| generator | req/s | CPU s | CPU µs/req | vs autocannon | latency p50 / p99 ms |');
log('|---|---|---|---|---|---|');
log(row('peakready engine, sync script', f1.engineSync, f1.autocannon));
log(row('peakready engine, async script', f1.engineAsync, f1.autocannon));
log(row('`peakready run` CLI, sync script', f1.cliSync, f1.autocannon));
log(row('autocannon -c 50 -R 5000', f1.autocannon, f1.autocannon));
log(row('wrk -t1 -c50 (its max; no rate flag)', f1.wrk, f1.autocannon));
log(row('paced floor (raw sockets, a timer per arrival, nothing else)', f1.floor, f1.autocannon));
log();
log(
  `Pacing itself costs ${fmt(perReq(f1.floor), 1)} µs per request here (the floor row): a generator that starts requests evenly ` +
    `pays a wake-up per arrival tick and per response. autocannon -R spends each second's budget in a burst, then waits ` +
    `(its p99 of ${ms(f1.autocannon.p99Ms)} ms is the queue of that burst), so its CPU per request is that of a saturated run. ` +
    `Above the floor, the engine's own work per paced request is ${fmt(perReq(f1.engineSync) - perReq(f1.floor), 1)} µs (sync script row).`,
);
log();
log(
  `A wake-up is what pacing costs: a bare Node timer loop, 1 ms apart and doing nothing, uses ${fmt(wakeUs, 1)} µs of CPU per wake on ` +
    `this machine (bench/load-wake-cost.mjs). Starting requests every millisecond is at least 1,000 wakes a second, so at 5,000 req/s ` +
    `at least ${fmt((wakeUs * 1000) / 5000, 1)} µs per request before any request is made, and the responses add wakes of their own.`,
);
log();

log(`## 2. Max req/s at 50 connections for ${S2} s`);
const f2 = await bestOf({
  engineSync: () => runPeakready(vusScript('vus50.js', S2), S2),
  engineAsync: () => runPeakready(vusScript('vus50-async.js', S2, true), S2),
  autocannon: () => runAutocannon(['-c', '50', '-d', String(S2)]),
  wrk: () => runWrk(S2, 2),
}, mostRequestsPerSecond);
log('| generator | req/s | CPU s | CPU µs/req | req/s vs autocannon |');
log('|---|---|---|---|---|');
for (const [name, r] of [['peakready engine, sync script (50 VUs)', f2.engineSync], ['peakready engine, async script (50 VUs)', f2.engineAsync], ['autocannon -c 50', f2.autocannon], ['wrk -t2 -c50', f2.wrk]]) {
  log(`| ${name} | ${fmt(r.rate, 0)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(perReq(r), 1)} | ${fmt(r.rate / f2.autocannon.rate, 2)}x |`);
}
log();

log(`## 3. Arrival-rate accuracy (constant-arrival-rate, ${S2} s)`);
log('| target it/s | iterations started | expected | started vs target | completed vs target | dropped |');
log('|---|---|---|---|---|---|');
for (const rate of [1000, 5000]) {
  const r = await runPeakready(rateScript(`acc${rate}.js`, rate, S2), S2);
  const expected = rate * S2;
  const started = r.iterations + r.dropped;
  log(`| ${rate} | ${started} | ${expected} | ${fmt((started / expected - 1) * 100, 2)} % | ${fmt((r.iterations / expected - 1) * 100, 2)} % | ${r.dropped} |`);
}
log();

log(`## 4. Memory: 5,000 VUs of constant-vus with sleep(1) for ${S} s`);
for (const [name, args] of [
  ['peakready engine (runLoadTest)', [engineRunner, sleepScript, nginx.url, out('mem.json')]],
  ['`peakready run` CLI', [peakready, 'run', sleepScript, '--quiet', '--summary-export', out('mem.json')]],
]) {
  const mem = await runWithPeakRss('node', args);
  const memReq = exportedRequests(out('mem.json'));
  log(`- ${name}: peak resident memory ${fmt(mem.peakRssMb, 0)} MB (goal < 300 MB); ${memReq.iterations} iterations (${fmt(memReq.iterations / S, 0)}/s, ideal 5000/s); exit ${mem.code}`);
}

log();
log(`Load average at the end: ${loadAverage()} (2 cores).`);

nginx.stop();
rmSync(dir, { recursive: true, force: true }); // its scripts, summaries and generator outputs
writeFileSync(join(root, 'bench', 'load-results.md'), lines.join('\n') + '\n');
console.log(`\nwrote bench/load-results.md`);
