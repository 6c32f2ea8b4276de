// The checkout path on the embedded database (PGlite over the wire protocol) vs Debian's
// PostgreSQL: two stacks side by side in one run (tracing off in both, so only the database
// differs), the checkout flow (add to a fresh cart + POST /api/checkout through the gateway)
// alternating between them round by round. Prints flows/s, CPU per flow and the ratio.
//
//   npm run build && node scripts/build.mjs --fixtures && node bench/checkout-db.mjs [--seconds 8] [--rounds 3] [--connections 8]
//                                             [--warm-step 4] [--warm-steps 8]
//   PostgreSQL: PEAKREADY_TEST_DATABASE_URL (default postgres://peakready:peakready@127.0.0.1:5432/peakready);
//   a fresh database is created for the run and dropped after.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    'warm-step': { type: 'string', default: '4' },
    'warm-steps': { type: 'string', default: '8' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const warmStep = Number(values['warm-step']);
const warmSteps = Number(values['warm-steps']);
const adminUrl = process.env.PEAKREADY_TEST_DATABASE_URL ?? 'postgres://peakready:peakready@127.0.0.1:5432/peakready';

const { launchStack } = await import('../dist-test/test/fixtures/reference-stack/launcher.js');
const { runFlow } = await import('../dist-test/test/fixtures/reference-stack/load-flows.js');
const { warmUp, formatCurve } = await import('./stack-warmup.mjs');

/** PostgreSQL server processes serving the bench database (their CPU belongs to the checkout too). */
async function backendPids() {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} is unreachable (${error.code ?? error.message}); run .ci/run or set PEAKREADY_TEST_DATABASE_URL`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dbName = `peakready_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE "${dbName}"`);
const realUrl = new URL(adminUrl);
realUrl.pathname = `/${dbName}`;
const env = { GATEWAY_RATE_LIMIT_RPS: '0', LOG_LEVEL: 'warn', PAYMENTS_LATENCY_MS: '5', PAYMENTS_JITTER_MS: '2', DB_POOL_MAX: '8' };
const stacks = {};
try {
  stacks.pglite = await launchStack({ tracing: false, env });
  stacks.postgres = await launchStack({ tracing: false, databaseUrl: realUrl.toString(), env });
  // warm both for about a minute, by when their throughput has stopped rising (stack-warmup.mjs;
  // PGlite's WebAssembly tiers up too, and pools open their connections), then count PostgreSQL's
  // backends of the bench database too
  const curves = await warmUp(stacks, { flows: ['checkout'], steps: warmSteps, stepSec: warmStep, connectionsFor: () => connections });
  for (const db of ['pglite', 'postgres']) console.log(`warm-up ${db.padEnd(8)} ${formatCurve(curves[db])}`);
  const backends = await backendPids();
  const pidsOf = (db) => (db === 'postgres' ? [...stacks.postgres.pids(), ...backends] : stacks.pglite.pids());
  const results = { pglite: [], postgres: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['pglite', 'postgres'] : ['postgres', 'pglite'];
    for (const db of order) {
      const r = await runFlow(stacks[db].gatewayUrl, 'checkout', { connections, durationSec: seconds, pids: pidsOf(db) });
      results[db].push(r);
      console.log(
        `round ${round + 1} ${db.padEnd(8)} ${r.flowsPerSec.toFixed(1).padStart(7)} checkouts/s  ${r.cpuMsPerFlow.toFixed(1)} CPU ms/checkout  ` +
          `p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}  non-2xx ${r.non2xx}`,
      );
    }
  }
  const mean = (list, key) => list.reduce((s, r) => s + r[key], 0) / list.length;
  const lite = mean(results.pglite, 'flowsPerSec');
  const real = mean(results.postgres, 'flowsPerSec');
  console.log(`\ncheckouts/s   PGlite ${lite.toFixed(1)}   PostgreSQL ${real.toFixed(1)}   PGlite/PostgreSQL ${(lite / real).toFixed(3)}`);
  console.log(
    `CPU ms/checkout (all stack processes + the database: PGlite's process, PostgreSQL's backends)   PGlite ${mean(results.pglite, 'cpuMsPerFlow').toFixed(1)}   ` +
      `PostgreSQL ${mean(results.postgres, 'cpuMsPerFlow').toFixed(1)}`,
  );
} finally {
  await Promise.all(Object.values(stacks).map((s) => s.stop()));
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
}
