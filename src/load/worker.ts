import { parentPort, workerData } from 'node:worker_threads';
import { ScriptWorkerRuntime } from './worker-runtime.js';
import type { MainToWorker, ScriptWorkerData } from './worker-protocol.js';

/** A load worker thread: the script's runtime (worker-runtime.ts), its messages over the thread's port. */

const port = parentPort!;
new ScriptWorkerRuntime(workerData as ScriptWorkerData, {
  post: (message) => port.postMessage(message),
  listen: (handler) => port.on('message', (m: MainToWorker) => handler(m)),
});
