import type { Socket } from 'node:net';

/**
 * Bytes read per syscall once a direction carries bulk data (Node's own reads are 64 KiB). The
 * proxy shares the cores with both its peers, so it often wakes to more than 256 KiB queued:
 * 512 KiB reads (and so writes) took upload through the proxy from 75 % to 85 % of a direct
 * connection here (median of 6 interleaved runs each; 1 and 2 MiB did no better).
 */
export const READ_BUFFER_SIZE = 512 * 1024;
/** At most this many sockets hold a read buffer at once (64 MiB); the rest keep Node's reads. */
const MAX_BUFFERED_SOCKETS = 128;
let buffered = 0;

type Internals = Socket & Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buffer: Buffer) => void } | null };

/**
 * Switches a live socket to reading into one reusable buffer, as `net.connect({ onread })` does
 * for the sockets it creates: every read lands in `buffer` and calls `onRead(bytes)` instead of
 * allocating a new 64 KiB Buffer and emitting 'data' (a third of the proxy's CPU per GiB: the
 * allocations, their page faults and their garbage). Node has no public way to do this for a
 * socket a server accepted, so this sets the same two fields `onread` sets and calls the same
 * handle method; when a Node version does not have them it returns false and the socket keeps
 * its 'data' events. The caller must not let `buffer` be read into while a write still holds it.
 * Call only from a 'data' handler with nothing buffered in the socket (so no byte can be read
 * between the last 'data' chunk and the first `onRead`).
 */
export function useReadBuffer(socket: Socket, buffer: Buffer, onRead: (bytes: number) => void): boolean {
  if (buffered >= MAX_BUFFERED_SOCKETS || socket.readableLength > 0) return false;
  const s = socket as Internals;
  const handle = s._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  const symbols = Object.getOwnPropertySymbols(s);
  const kBuffer = symbols.find((k) => k.description === 'kBuffer');
  const kBufferCb = symbols.find((k) => k.description === 'kBufferCb');
  const kBufferGen = symbols.find((k) => k.description === 'kBufferGen');
  // all three unset (null) means an ordinary socket, which this Node version reads the way we expect
  if (!kBuffer || !kBufferCb || !kBufferGen || s[kBuffer] != null || s[kBufferCb] != null || s[kBufferGen] != null) return false;
  s[kBuffer] = buffer;
  s[kBufferCb] = (bytes: number): void => onRead(bytes);
  handle.useUserBuffer(buffer);
  buffered++;
  socket.once('close', () => buffered--);
  return true;
}
