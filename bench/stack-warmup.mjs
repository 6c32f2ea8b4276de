// Warm-up for the benches that drive the reference stack (stack-tracing.mjs, checkout-db.mjs).
//
// A fresh stack under load keeps getting cheaper for about a minute: V8 tiers its JavaScript up,
// PGlite's WebAssembly tiers up, connection pools grow. On 2026-12-02 a stack's checkout flow
// fell from 31 to 13 ms of CPU over its first 16 s, and checkout throughput rose from 48-67 to
// 95-154 flows/s over eight 4 s steps. A bench that measures inside that curve compares warm-up
// speeds, not the steady state it is after, and whichever stack has more code to warm looks
// dearer. So each stack gets `steps` steps of every flow, alternating stacks and flows so machine
// noise hits all, and the curve is returned for printing, to show it has flattened.

const { runFlow } = await import('../dist-test/test/fixtures/reference-stack/load-flows.js');

/**
 * @param {Record<string, { gatewayUrl: string }>} stacks by label
 * @param {{ flows: string[], steps?: number, stepSec?: number, connectionsFor: (flow: string) => number }} options
 * @returns {Promise<Record<string, Record<string, number[]>>>} flows/s per stack, flow and step
 */
export async function warmUp(stacks, { flows, steps = 8, stepSec = 4, connectionsFor }) {
  const labels = Object.keys(stacks);
  const curves = Object.fromEntries(labels.map((label) => [label, Object.fromEntries(flows.map((flow) => [flow, []]))]));
  for (let step = 0; step < steps; step++) {
    for (const flow of flows) {
      for (const label of step % 2 === 0 ? labels : [...labels].reverse()) {
        const r = await runFlow(stacks[label].gatewayUrl, flow, { connections: connectionsFor(flow), durationSec: stepSec });
        curves[label][flow].push(r.flowsPerSec);
      }
    }
  }
  return curves;
}

/** "product-page 791 → 1180 → …; checkout 58 → 81 → … flows/s" */
export function formatCurve(curve) {
  return `${Object.entries(curve)
    .map(([flow, rates]) => `${flow} ${rates.map((v) => v.toFixed(0)).join(' → ')}`)
    .join('; ')} flows/s`;
}
