// Tracing cost on the reference stack: requests/s of GET /api/products/:id and of the checkout
// flow (add to a fresh cart + POST /api/checkout) through the gateway, with OpenTelemetry tracing
// on (every hop traced, spans batched and exported over OTLP/HTTP to a local collector stand-in)
// vs OTEL_SDK_DISABLED=true, plus a third stack with head sampling at 10 %
// (OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0.1: every hop still
// propagates context, one trace in ten is recorded). The stacks run side by side in one run: each
// round launches a fresh stack per mode (so no one launch's JIT luck decides the ratio), warms
// each up with both flows for about a minute, by when its throughput has stopped rising (not
// counted; stack-warmup.mjs prints the curve), so what is measured is the steady state of a stack
// that has been serving for a while, as one would be before a peak. Then it runs the flows on
// them in alternating order so machine noise hits all (about 17 minutes with the defaults on
// 2 cores). Goal: tracing costs at most 15 %.
//
// `--rate N` drives N flows/s per flow instead of as many as the connections manage (the open
// model): throughput is then fixed, and CPU per flow compares the work alone, without the
// batching a saturated stack gets.
//
//   npm run build && node scripts/build.mjs --fixtures && node bench/stack-tracing.mjs [--seconds 8] [--rounds 3] [--connections 16] [--rate N]
//                                                [--warm-step 4] [--warm-steps 8]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '16' }, rate: { type: 'string' }, 'warm-step': { type: 'string', default: '4' }, 'warm-steps': { type: 'string', default: '8' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const warmStep = Number(values['warm-step']);
const warmSteps = Number(values['warm-steps']);

const { launchStack } = await import('../dist-test/test/fixtures/reference-stack/launcher.js');
const { runFlow, startDiscardingCollector } = await import('../dist-test/test/fixtures/reference-stack/load-flows.js');
const { warmUp, formatCurve } = await import('./stack-warmup.mjs');
const connectionsFor = (flow) => (flow === 'checkout' ? Math.max(1, connections / 2) : connections);

const collector = await startDiscardingCollector();
const common = { GATEWAY_RATE_LIMIT_RPS: '0', LOG_LEVEL: 'warn' };
const modes = ['on', 'off', '10%'];
const launch = {
  on: () => launchStack({ otlpEndpoint: collector.url, env: common }),
  off: () => launchStack({ tracing: false, env: common }),
  '10%': () => launchStack({ otlpEndpoint: collector.url, env: { ...common, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } }),
};
let stacks = {};
const stopAll = () => Promise.all(Object.values(stacks).map((s) => s.stop()));
try {
  const totals = Object.fromEntries(['product-page', 'checkout'].map((f) => [f, Object.fromEntries(modes.map((m) => [m, []]))]));
  for (let round = 0; round < rounds; round++) {
    // fresh processes every round: two identically configured stacks differ by several percent
    // (each process's JIT takes its own path), so one launch per mode would decide the ratio
    stacks = {};
    for (const mode of modes) stacks[mode] = await launch[mode]();
    // warm-up, not counted (stack-warmup.mjs: a fresh stack keeps getting cheaper for about a
    // minute, and the traced one, with more code to warm, lags most inside that curve)
    const curves = await warmUp(stacks, { flows: ['checkout', 'product-page'], steps: warmSteps, stepSec: warmStep, connectionsFor });
    for (const mode of modes) console.log(`round ${round + 1} warm-up ${mode.padEnd(3)} ${formatCurve(curves[mode])}`);
    const order = round % 2 === 0 ? modes : [...modes].reverse();
    for (const flow of ['product-page', 'checkout']) {
      for (const mode of order) {
        const r = await runFlow(stacks[mode].gatewayUrl, flow, {
          connections: connectionsFor(flow),
          durationSec: seconds,
          pids: stacks[mode].pids(),
          ...(rate ? { flowsPerSec: rate } : {}),
        });
        totals[flow][mode].push(r);
        console.log(
          `round ${round + 1} ${flow.padEnd(12)} tracing ${mode.padEnd(3)} ${r.flowsPerSec.toFixed(0).padStart(6)} flows/s  ` +
            `${r.cpuMsPerFlow.toFixed(2)} CPU ms/flow  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}  non-2xx ${r.non2xx}`,
        );
      }
    }
    await stopAll();
    stacks = {};
  }
  console.log(`\ncollector received ${collector.received()} OTLP export requests from the traced stack`);
  // throughput depends on the CPU share the machine gives us; CPU per flow (all stack processes,
  // PGlite included) does not, so both are printed
  console.log('\nflow          tracing   flows/s   ratio to off   CPU ms/flow   CPU ratio to off');
  const mean = (list, key) => list.reduce((s, r) => s + r[key], 0) / list.length;
  for (const flow of ['product-page', 'checkout']) {
    const off = mean(totals[flow].off, 'flowsPerSec');
    const cpuOff = mean(totals[flow].off, 'cpuMsPerFlow');
    for (const mode of modes) {
      const rate = mean(totals[flow][mode], 'flowsPerSec');
      const cpu = mean(totals[flow][mode], 'cpuMsPerFlow');
      const cost = mode === 'off' ? '' : `   cost ${((1 - rate / off) * 100).toFixed(1)} % throughput, ${((cpu / cpuOff - 1) * 100).toFixed(1)} % CPU (goal ≤ 15 %)`;
      console.log(`${flow.padEnd(13)} ${mode.padEnd(7)} ${rate.toFixed(0).padStart(9)} ${(rate / off).toFixed(3).padStart(14)} ${cpu.toFixed(2).padStart(13)} ${(cpu / cpuOff).toFixed(3).padStart(18)}${cost}`);
    }
  }
} finally {
  await stopAll();
  await collector.close();
}
