import { parentPort, workerData } from 'node:worker_threads';
import { hostInstance } from './instance-host.js';
import type { MainToWorker, WorkerInit } from './worker-protocol.js';

/** A load worker thread: one instance (instance-host.ts), its messages over the thread's port. */

const port = parentPort!;
hostInstance(workerData as WorkerInit, {
  post: (message) => port.postMessage(message),
  listen: (handler) => port.on('message', (m: MainToWorker) => handler(m)),
});
