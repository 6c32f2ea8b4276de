import type { Command } from 'commander';
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../faults/api-defaults.js';
import { UsageError } from '../errors.js';
import { onShutdown } from '../lifecycle/shutdown.js';

export function registerToxiproxy(program: Command): void {
  const toxiproxy = program
    .command('toxiproxy')
    .description('run the built-in Toxiproxy-compatible fault proxy')
    .addHelpText('after', '\nExample:\n  $ npx peakready toxiproxy serve --port 8474\n');
  toxiproxy
    .command('serve')
    .description("serve Toxiproxy's HTTP API (any Toxiproxy client works with it) until Ctrl-C")
    .option('--host <host>', 'address the API listens on', DEFAULT_API_HOST)
    .option('--port <port>', 'port the API listens on (0 = any free port)', String(DEFAULT_API_PORT))
    .addHelpText(
      'after',
      '\nEach proxied connection takes two open files. Near this process\'s open-file limit, new connections go to\n' +
        'helper processes (fd passing), so a proxy holds more than one process could; they end with this one.\n' +
        'PEAKREADY_PROXY_LOCAL_CONNECTIONS=N sets how many this process holds itself.\n\n' +
        'Examples:\n  $ npx peakready toxiproxy serve --port 8474\n  $ npx peakready toxiproxy serve --host 127.0.0.1 --port 0\n',
    )
    .action(async (options: { host: string; port: string }) => {
      const { startFaultProxyServer } = await import('../faults/server.js');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${options.port}" is not a port number (0-65535)`);
      const server = await startFaultProxyServer({ host: options.host, port });
      onShutdown('fault proxy server', () => server.close());
      process.stdout.write(`peakready fault proxy (Toxiproxy API) listening on ${server.url}\n`);
      // Runs until Ctrl-C/SIGTERM: the shutdown hooks close the API, every proxy and connection.
      await new Promise<never>(() => undefined);
    });
}
