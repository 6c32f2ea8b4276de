import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import workerThreads from 'node:worker_threads';

/**
 * Setup file of the `unit` lane (vitest.config.ts): a unit test runs no process, thread or socket,
 * so the lane stays fast and never flakes on a busy machine. A test that needs one belongs in the
 * `integration` lane: add its file to `integration` in vitest.config.ts.
 */
function refuse(what: string): never {
  throw new Error(`a unit test may not ${what}; list this test file under \`integration\` in vitest.config.ts`);
}

for (const name of ['spawn', 'fork', 'exec', 'execFile', 'spawnSync', 'execFileSync', 'execSync'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => refuse(`start a process (${name})`);
}
net.Server.prototype.listen = function listen(): never {
  return refuse('listen on a socket');
};
net.Socket.prototype.connect = function connect(): never {
  return refuse('open a connection');
};
(workerThreads as { Worker: unknown }).Worker = class {
  constructor() {
    refuse('start a worker thread');
  }
};
syncBuiltinESMExports();
