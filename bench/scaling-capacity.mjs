#!/usr/bin/env node
// Does scaling out add capacity on this machine? Offers more CPU demand than one replica can
// take and measures the CPU the replicas actually got, for N replicas, with per-replica CPU
// limits (cgroups, each replica at the catalog's limit) and without, side by side in one run.
// This is the figure behind the scale-out verdict's "capacity grew" vs "controller decided right".
//   npm run build && node scripts/build.mjs --fixtures && node bench/scaling-capacity.mjs [--demand 2000] [--seconds 2] [--replicas 1,2,4]
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const load = (p) => import(new URL(`dist/${p}.js`, `file://${root}/`).href);
const { BurnerController } = await import(new URL('../dist-test/test/fixtures/scaling/burner-controller.js', import.meta.url).href);
const { CpuSampler } = await load('src/scaling/cpu-sampler');
const { createCpuLimiter, capacityHeadroom } = await load('src/scaling/cpu-limits');
const { referenceStack } = await load('src/stack/definition');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const demand = Number(arg('--demand', '2000'));
const seconds = Number(arg('--seconds', '2'));
const counts = arg('--replicas', '1,2,4').split(',').map(Number);
const definition = referenceStack();
const catalog = definition.services.find((s) => s.name === 'catalog');
const limit = catalog.resources.limits.cpuMillicores;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function achieved(n, withLimits) {
  const limiter = withLimits ? createCpuLimiter(definition) : undefined;
  if (withLimits && !limiter.support.supported) return undefined;
  const controller = new BurnerController({ cpuRequestMillicores: catalog.resources.requests.cpuMillicores, onReplicaSpawned: limiter?.onReplicaSpawned });
  try {
    await controller.setReplicas('catalog', n);
    await controller.waitReady('catalog');
    controller.setDemand('catalog', demand);
    await sleep(300);
    const sampler = new CpuSampler({ includeChildren: false });
    const replicas = controller.replicas('catalog');
    sampler.sample(replicas, Date.now());
    await sleep(seconds * 1000);
    const readings = sampler.sample(replicas, Date.now());
    return [...readings.values()].reduce((sum, r) => sum + (r.usageMillicores ?? 0), 0);
  } finally {
    await controller.stopAll();
    limiter?.release();
  }
}

const cores = availableParallelism();
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cores} cores; offered demand ${demand}m spread over the replicas; ${seconds}s per point`);
console.log(capacityHeadroom(limit, cores).reason);
console.log('replicas  CPU got, limited to ' + `${limit}m each`.padEnd(12) + '  CPU got, no limits');
for (const n of counts) {
  const limited = await achieved(n, true);
  const free = await achieved(n, false);
  console.log(`${String(n).padStart(8)}  ${limited === undefined ? 'n/a (no cgroups)'.padEnd(30) : `${Math.round(limited)}m (${((limited / Math.min(demand, n * limit)) * 100).toFixed(0)}% of ${Math.min(demand, n * limit)}m possible)`.padEnd(30)}  ${Math.round(free)}m`);
}
console.log('a Node replica is single-threaded: without limits one replica tops out near 1000m, so even then');
console.log(`scaling out adds CPU only up to ${cores} replicas on this machine; with limits it adds CPU up to ${Math.floor((cores * 1000) / limit)} replicas`);
