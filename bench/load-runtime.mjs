// The load runtime's figures, side by side in one run against one private nginx on loopback:
//   1. generator CPU per request at a fixed 5,000 req/s: peakready (sync and async script)
//      vs autocannon -R vs wrk (no rate flag: measured at its max, per-request CPU still compares)
//   2. max req/s at 50 connections: peakready vs autocannon vs wrk
//   3. arrival-rate accuracy at 1,000 and 5,000 iterations/s
//   4. resident memory of 5,000 VUs of constant-vus with sleep(1)
// CPU is user+sys of each generator's whole process tree. Run: `npm run build && node bench/load-runtime.mjs`
// (BENCH_SECONDS=5 for a quick pass). Writes bench/load-results.md.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autocannon, exportedRequests, fmt, measure, peakready, root, runWithPeakRss, startNginx, writeScript } from './load-common.mjs';

const S = Number(process.env.BENCH_SECONDS ?? 20);
const S2 = Math.max(3, Math.round(S / 2));
const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-load-'));
const nginx = await startNginx();
const out = (name) => join(dir, name);
const lines = [];
const log = (line = '') => {
  lines.push(line);
  console.log(line);
};

const syncScript = writeScript(dir, 'sync.js', `import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n`);
const asyncScript = writeScript(dir, 'async.js', `import http from 'k6/http';\nexport default async function () { await http.asyncRequest('GET', __ENV.URL); }\n`);
const rateScript = (name, rate, seconds, asyncStyle = false) =>
  writeScript(
    dir,
    name,
    `import http from 'k6/http';
export const options = { scenarios: { fixed: { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: ${Math.ceil(rate / 20)}, maxVUs: ${Math.ceil(rate / 2)} } } };
${asyncStyle ? "export default async function () { await http.asyncRequest('GET', __ENV.URL); }" : 'export default function () { http.get(__ENV.URL); }'}
`,
  );
const sleepScript = writeScript(dir, 'sleepers.js', `import { sleep } from 'k6';\nexport const options = { vus: 5000, duration: '${S}s' };\nexport default function () { sleep(1); }\n`);

async function runPeakready(script, extraArgs = [], env = {}) {
  const summary = out(`summary-${Math.random().toString(36).slice(2)}.json`);
  const r = await measure('node', [peakready, 'run', script, '--quiet', '-e', `URL=${nginx.url}`, '--summary-export', summary, ...extraArgs], { outFile: out('peakready.out'), env });
  if (r.rc !== 0) throw new Error(`peakready exited ${r.rc}:\n${r.output.slice(-2000)}`);
  const req = exportedRequests(summary);
  return { ...r, requests: req.count, rate: req.rate, iterations: req.iterations, dropped: req.dropped };
}

async function runAutocannon(args) {
  const r = await measure('node', [autocannon, '-j', ...args, nginx.url], { outFile: out('autocannon.out') });
  const json = JSON.parse(r.output.slice(r.output.indexOf('{')));
  const total = json.requests.total ?? json['2xx'];
  return { ...r, requests: total, rate: total / json.duration };
}

async function runWrk(seconds, threads) {
  const r = await measure('wrk', ['-t', String(threads), '-c', '50', '-d', `${seconds}s`, nginx.url], { outFile: out('wrk.out') });
  const m = /(\d+) requests in ([\d.]+)(\w+)/.exec(r.output);
  const total = Number(m[1]);
  const secs = Number(m[2]) * (m[3] === 'm' ? 60 : m[3] === 'ms' ? 0.001 : 1);
  return { ...r, requests: total, rate: total / secs };
}

const perReq = (r) => (r.cpuSeconds / r.requests) * 1e6;
const row = (name, r, base) => `| ${name} | ${fmt(r.rate, 0)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(perReq(r), 1)} | ${base ? fmt(perReq(r) / perReq(base), 2) + 'x' : ''} |`;

log(`# Load runtime figures (${new Date().toISOString()}, ${S} s runs, nginx ${nginx.url})`);
log();
log(`## 1. Generator CPU per request at a fixed 5,000 req/s for ${S} s`);
const f1 = {
  peakreadySync: await runPeakready(rateScript('rate5000.js', 5000, S)),
  peakreadyAsync: await runPeakready(rateScript('rate5000-async.js', 5000, S, true)),
  autocannon: await runAutocannon(['-c', '50', '-R', '5000', '-d', String(S)]),
  wrk: await runWrk(S, 1),
};
log('| generator | req/s | CPU s | CPU µs/req | vs autocannon |');
log('|---|---|---|---|---|');
log(row('peakready, sync script', f1.peakreadySync, f1.autocannon));
log(row('peakready, async script', f1.peakreadyAsync, f1.autocannon));
log(row('autocannon -R 5000', f1.autocannon, f1.autocannon));
log(row('wrk (at its max; no rate flag)', f1.wrk, f1.autocannon));
log();

log(`## 2. Max req/s at 50 connections for ${S2} s`);
const f2 = {
  peakreadySync: await runPeakready(syncScript, ['--vus', '50', '--duration', `${S2}s`]),
  peakreadyAsync: await runPeakready(asyncScript, ['--vus', '50', '--duration', `${S2}s`]),
  autocannon: await runAutocannon(['-c', '50', '-d', String(S2)]),
  wrk: await runWrk(S2, 2),
};
log('| generator | req/s | CPU s | CPU µs/req | req/s vs autocannon |');
log('|---|---|---|---|---|');
for (const [name, r] of [['peakready, sync script (50 VUs)', f2.peakreadySync], ['peakready, async script (50 VUs)', f2.peakreadyAsync], ['autocannon -c 50', f2.autocannon], ['wrk -t2 -c50', f2.wrk]]) {
  log(`| ${name} | ${fmt(r.rate, 0)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(perReq(r), 1)} | ${fmt(r.rate / f2.autocannon.rate, 2)}x |`);
}
log();

log(`## 3. Arrival-rate accuracy (constant-arrival-rate, ${S2} s)`);
log('| target it/s | iterations started | expected | achieved vs target | dropped |');
log('|---|---|---|---|---|');
for (const rate of [1000, 5000]) {
  const r = await runPeakready(rateScript(`acc${rate}.js`, rate, S2));
  const expected = rate * S2;
  const started = r.iterations + r.dropped;
  log(`| ${rate} | ${started} | ${expected} | ${fmt(((r.iterations + r.dropped) / expected - 1) * 100, 2)} % (completed ${fmt((r.iterations / expected - 1) * 100, 2)} %) | ${r.dropped} |`);
}
log();

log(`## 4. Memory: 5,000 VUs of constant-vus with sleep(1) for ${S} s`);
const mem = await runWithPeakRss('node', [peakready, 'run', sleepScript, '--quiet', '--summary-export', out('mem.json')]);
const memReq = exportedRequests(out('mem.json'));
log(`peak resident memory ${fmt(mem.peakRssMb, 0)} MB (goal < 300 MB); ${memReq.iterations} iterations (${fmt(memReq.iterations / S, 0)}/s, ideal 5000/s); exit ${mem.code}`);

nginx.stop();
writeFileSync(join(root, 'bench', 'load-results.md'), lines.join('\n') + '\n');
console.log(`\nwrote bench/load-results.md`);
