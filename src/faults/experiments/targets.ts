import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../../paths.js';
import type { StackState } from '../../stack/contract.js';
import { referenceStack, servicePort } from '../../stack/definition.js';

function runningStack(): StackState | undefined {
  const path = join(stateDir(), 'stack.json');
  // The supervisor rewrites the file on every change: a read can catch it half-written, so retry briefly.
  for (let attempt = 0; attempt < 10; attempt++) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as StackState;
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  return undefined;
}

/** The running stack's fault proxy API (`.peakready/stack.json`), else the local stack's default (7400). */
export function defaultToxiproxyUrl(): string {
  const running = runningStack()?.toxiproxyUrl;
  if (running) return running;
  const stack = referenceStack();
  return `http://127.0.0.1:${stack.basePort + stack.admin.faultProxyApiOffset}`;
}

/** The running stack's gateway, else the local stack's default (7100): what `${gateway}` means in probes. */
export function defaultGatewayUrl(): string {
  return runningStack()?.gatewayUrl ?? `http://127.0.0.1:${servicePort(referenceStack(), 'gateway')}`;
}
