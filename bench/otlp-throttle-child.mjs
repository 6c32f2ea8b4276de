// The OTLP receiver alone in a process, for bench/otlp-throttle.mjs. DIST picks the build
// (default ../dist; another checkout's dist/ measures its receiver the same way). It reports its
// stats and peak resident memory, and on 'stop' closes and counts the spans on disk.
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import zlib, { createGunzip } from 'node:zlib';

const dist = resolve(process.env.DIST ?? new URL('../dist', import.meta.url).pathname);
const { RunDirectory } = await import(pathToFileURL(join(dist, 'src/run/run-dir.js')).href);
const { startOtlpReceiver } = await import(pathToFileURL(join(dist, 'src/telemetry/otlp/receiver.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-throttle-'));
const run = new RunDirectory(dir);
const receiver = await startOtlpReceiver({ port: 0, runDir: run });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
process.on('message', async (m) => {
  if (m === 'stop') {
    clearInterval(sampler);
    await receiver.close();
    // streamed: a 20 s run stores some 2 million spans, more text than one string may hold
    let stored = 0;
    const ids = new Set();
    const files = [join(dir, 'traces.ndjson'), join(dir, 'traces.ndjson.gz')].filter((f) => existsSync(f));
    for (const file of files) {
      const source = createReadStream(file);
      const input = file.endsWith('.gz') ? source.pipe(createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH })) : source;
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (!line) continue;
        const span = JSON.parse(line);
        stored++;
        ids.add(span.traceId + span.spanId);
      }
    }
    process.send({ stats: receiver.stats(), peakRss, stored, distinct: ids.size });
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ url: receiver.url });
