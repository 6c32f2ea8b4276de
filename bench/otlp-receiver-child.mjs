// The OTLP receiver alone in a process, for bench/otlp-ingest.mjs: it reports its own CPU time,
// resident memory and spans held, so the bench measures the receiver and nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDirectory } from '../dist/src/run/run-dir.js';
import { startOtlpReceiver } from '../dist/src/telemetry/otlp/receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-otlp-'));
const receiver = await startOtlpReceiver({ port: 0, runDir: new RunDirectory(dir), maxSpans: Number(process.env.MAX_SPANS ?? 100000) });
let peakRss = 0;
let peakHeld = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  peakHeld = Math.max(peakHeld, receiver.store.spanCount);
}, 50);
process.on('message', async (m) => {
  if (m === 'stats') {
    process.send({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, peakRss, peakHeld, held: receiver.store.spanCount, stats: receiver.stats() });
  } else if (m === 'reset-peaks') {
    peakRss = 0;
    peakHeld = 0;
    process.send({ ok: true });
  } else if (m === 'stop') {
    clearInterval(sampler);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ url: receiver.url });
