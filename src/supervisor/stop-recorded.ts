import { reapStaleChildren } from '../lifecycle/children.js';
import { proxiedUpstreams, referenceStack } from '../stack/definition.js';
import { removeEdgeProxies } from './fault-proxy.js';
import { isProcessAlive, readStackState, removeStackState, stackStatePath } from '../stack/stack-state.js';

/**
 * `peakready down`: stops the stack recorded in stack.json from another process. The supervisor
 * gets SIGTERM and cleans up after itself (drains, stops replicas, removes proxies); if it does
 * not exit in time, or was already dead, its leftovers are killed from the pid records.
 */
export async function stopRecordedStack(options: { graceMs: number }): Promise<{ stopped: boolean; lines: string[] }> {
  const path = stackStatePath();
  const state = readStackState(path);
  const lines: string[] = [];
  let graceful = false;
  if (state && isProcessAlive(state.supervisorPid)) {
    signal(state.supervisorPid, 'SIGTERM');
    graceful = await waitForExit(state.supervisorPid, options.graceMs);
    if (!graceful) {
      signal(state.supervisorPid, 'SIGKILL');
      await waitForExit(state.supervisorPid, 2_000);
      lines.push(`the supervisor (pid ${state.supervisorPid}) did not stop within ${options.graceMs / 1000} s; killed it`);
    } else {
      lines.push(`stopped the stack (supervisor pid ${state.supervisorPid}, gateway ${state.gatewayUrl})`);
    }
  } else if (state) {
    lines.push(`the supervisor recorded in ${path} (pid ${state.supervisorPid}) was already gone; cleaning up after it`);
  }
  // What a killed supervisor could not undo: its children, and proxies in a user's Toxiproxy.
  const reaped = reapStaleChildren();
  if (reaped.length) lines.push(`killed ${reaped.length} leftover process(es): ${reaped.join(', ')}`);
  if (state?.toxiproxyUrl && !graceful) {
    await removeEdgeProxies(state.toxiproxyUrl, proxiedUpstreams(referenceStack(state.basePort))).catch(() => undefined);
  }
  removeStackState(path);
  if (!state && reaped.length === 0) lines.push(`no stack is running (no ${path}) and nothing was left behind`);
  return { stopped: Boolean(state), lines };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
}

async function waitForExit(pid: number, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
