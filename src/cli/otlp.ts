import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import { UsageError } from '../errors.js';
import { parseOtlpForwardFlag } from '../util/url-flag.js';
import { onShutdown } from '../lifecycle/shutdown.js';

export function registerOtlp(program: Command): void {
  const otlp = program
    .command('otlp')
    .description('run the built-in OTLP/HTTP trace receiver')
    .addHelpText('after', '\nExample:\n  $ npx peakready otlp serve --out traces/\n');
  otlp
    .command('serve')
    .description('receive OTLP/HTTP traces (protobuf or JSON, gzip) on /v1/traces until Ctrl-C, writing them to traces.ndjson.gz (gzip-compressed JSON lines)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '4318')
    .option('--out <dir>', 'folder for traces.ndjson.gz (default: a new run under .peakready/runs/)')
    .option('--max-spans <n>', 'spans held in memory before old traces are evicted', '100000')
    .option('--otlp-forward <url>', 'also forward every request unchanged to this OTLP endpoint (e.g. http://localhost:4318/v1/traces)')
    .addHelpText('after', '\nExamples:\n  $ npx peakready otlp serve --out traces/\n  $ npx peakready otlp serve --port 4319 --otlp-forward http://localhost:4318/v1/traces\n')
    .action(async (options: { host: string; port: string; out?: string; maxSpans: string; otlpForward?: string }) => {
      const { startOtlpReceiver } = await import('../telemetry/otlp/receiver.js');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${options.port}" is not a port number (0-65535)`);
      const maxSpans = Number(options.maxSpans);
      if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new UsageError(`--max-spans: "${options.maxSpans}" is not a positive whole number`);
      if (options.otlpForward !== undefined) parseOtlpForwardFlag(options.otlpForward);
      let runDir: RunDirectory;
      if (options.out) {
        mkdirSync(options.out, { recursive: true });
        runDir = new RunDirectory(resolve(options.out));
      } else runDir = RunDirectory.create('otlp');
      // config.json makes the folder a run that `peakready traces DIR` opens
      writeFileSync(join(runDir.root, 'config.json'), JSON.stringify({ command: 'otlp serve', host: options.host, port, maxSpans, forward: options.otlpForward ?? null }, null, 2) + '\n');
      const receiver = await startOtlpReceiver({ host: options.host, port, runDir, maxSpans, ...(options.otlpForward ? { forwardUrl: options.otlpForward } : {}) });
      onShutdown('OTLP receiver', async () => {
        await receiver.close();
        const s = receiver.stats();
        process.stdout.write(
          `peakready: received ${s.spansReceived} spans in ${s.requests} requests (${s.rejected} refused, ${s.spansDropped} invalid spans, ${s.tracesEvicted} traces evicted from memory)` +
            (s.forward ? `; forwarded ${s.forward.forwarded}, failed ${s.forward.failed}, dropped ${s.forward.dropped}` : '') +
            `\npeakready: spans are in ${runDir.writtenPath('traces')}\n`,
        );
      });
      process.stdout.write(`peakready OTLP receiver listening on ${receiver.url}/v1/traces, writing ${runDir.writtenPath('traces')}\n`);
      await new Promise<never>(() => undefined);
    });
}
