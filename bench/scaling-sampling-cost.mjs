#!/usr/bin/env node
// Cost of the autoscaler's CPU sampling on real replica processes: CPU time per sample round and
// per replica, for N replicas, in its two modes (process tree: one scan of /proc per round;
// own process only: one /proc/<pid>/stat read per replica), side by side with the peer a shell
// script would use, `ps -o cputime -p <pids>` (procps), measured in the same run.
//   npm run build && node scripts/build.mjs --fixtures && node bench/scaling-sampling-cost.mjs [--rounds 200] [--replicas 1,4,8,16]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const load = (p) => import(new URL(`dist/${p}.js`, `file://${root}/`).href);
const { BurnerController } = await import(new URL('../dist-test/test/fixtures/scaling/burner-controller.js', import.meta.url).href);
const { CpuSampler } = await load('src/scaling/cpu-sampler');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(arg('--rounds', '200'));
const sizes = arg('--replicas', '1,4,8,16').split(',').map(Number);

/** own CPU + reaped children's CPU, microseconds (children: the ps peer) */
function selfCpuUs() {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  const usage = process.cpuUsage();
  // process.cpuUsage is µs-precise for ourselves; children only show in /proc ticks (10 ms)
  return { own: usage.user + usage.system, children: (Number(f[13]) + Number(f[14])) * 10_000, ticks };
}

function measure(fn) {
  const a = selfCpuUs();
  const t = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn(i);
  const wall = Number(process.hrtime.bigint() - t) / 1000;
  const b = selfCpuUs();
  return { cpuUs: (b.own - a.own + (b.children - a.children)) / rounds, wallUs: wall / rounds };
}

console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${rounds} sample rounds per mode; processes in /proc: ${execFileSync('sh', ['-c', 'ls /proc | grep -c "^[0-9]"']).toString().trim()}`);
console.log('replicas  mode                 CPU/round   CPU/replica  wall/round');
const rows = [];
for (const n of sizes) {
  const controller = new BurnerController({ cpuRequestMillicores: 200 });
  try {
    await controller.setReplicas('catalog', n);
    await controller.waitReady('catalog');
    const replicas = controller.replicas('catalog');
    const pids = replicas.map((r) => r.pid).join(',');
    const tree = new CpuSampler();
    const own = new CpuSampler({ includeChildren: false });
    const modes = {
      'process tree (/proc)': measure((i) => tree.sample(replicas, i)),
      'own pid (/proc)': measure((i) => own.sample(replicas, i)),
      'peer: ps -o cputime': measure(() => execFileSync('ps', ['-o', 'cputime=', '-p', pids])),
    };
    for (const [mode, m] of Object.entries(modes)) {
      rows.push({ n, mode, ...m });
      console.log(`${String(n).padStart(8)}  ${mode.padEnd(20)} ${(m.cpuUs / 1000).toFixed(3).padStart(8)} ms ${(m.cpuUs / n / 1000).toFixed(3).padStart(9)} ms ${(m.wallUs / 1000).toFixed(3).padStart(9)} ms`);
    }
    const ratio = modes['peer: ps -o cputime'].cpuUs / modes['process tree (/proc)'].cpuUs;
    console.log(`          ps costs ${ratio.toFixed(1)}x the CPU of our process-tree sampling at ${n} replicas`);
  } finally {
    await controller.stopAll();
  }
}
const at1s = rows.filter((r) => r.mode === 'process tree (/proc)').map((r) => `${r.n} replicas: ${((r.cpuUs / 1e6) * 100).toFixed(3)}% of a core`);
console.log(`sampling every 1 s (a compressed drill) costs: ${at1s.join(', ')}`);
