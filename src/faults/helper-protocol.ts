import type { HostPort } from './address.js';
import type { ToxicState } from './toxic-state.js';

/**
 * Messages between the fault proxy and its helper processes (data-plane.ts, data-plane-helper.ts).
 * One IPC channel per helper keeps them in order, so a toxic added before a connection was handed
 * over is in that connection's snapshot, and one added after reaches it as a message.
 */
export type ToHelper =
  /** sent with the client socket: connect to `target`, run it through `toxics` */
  | { type: 'connection'; proxy: number; target: HostPort; toxics: ToxicState[] }
  | { type: 'add-toxic'; proxy: number; toxic: ToxicState; seq: number }
  | { type: 'update-toxic'; proxy: number; name: string; toxicity: number; attributes: Record<string, number>; seq: number }
  | { type: 'remove-toxic'; proxy: number; name: string; seq: number }
  /** the proxy was disabled, restarted or deleted: close its connections, forget its toxics */
  | { type: 'close-proxy'; proxy: number; seq: number };

export type FromHelper =
  /** the change with this seq has reached every connection the helper holds */
  | { type: 'ack'; seq: number }
  /** this many connections handed over have finished (or never arrived) */
  | { type: 'finished'; count: number };
