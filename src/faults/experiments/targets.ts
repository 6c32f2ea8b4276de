import { referenceStack, servicePort } from '../../stack/definition.js';
import { readStackState } from '../../stack/stack-state.js';

/**
 * Where experiments point when the user names no target: the running stack, else the local
 * stack's defaults. stack.json is read once, with no retry: the supervisor writes it atomically
 * (write + rename), so a reader sees the whole file or none.
 */

/** The running stack's fault proxy API (`.peakready/stack.json`), else the local stack's default (7400). */
export function defaultToxiproxyUrl(): string {
  const running = readStackState()?.toxiproxyUrl;
  if (running) return running;
  const stack = referenceStack();
  return `http://127.0.0.1:${stack.basePort + stack.admin.faultProxyApiOffset}`;
}

/** The running stack's gateway, else the local stack's default (7100): what `${gateway}` means in probes. */
export function defaultGatewayUrl(): string {
  return readStackState()?.gatewayUrl ?? `http://127.0.0.1:${servicePort(referenceStack(), 'gateway')}`;
}
