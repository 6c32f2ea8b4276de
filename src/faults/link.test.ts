import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { callApi, useFaultProxy } from '../../test/support/fault-proxy.js';
import { useReadBuffer } from './read-buffer.js';
import { listenTcp, waitFor } from '../../test/support/tcp-peers.js';

const fx = useFaultProxy();
let count = 0;

const api = (method: string, path: string, body?: unknown): Promise<any> => callApi(fx, method, path, body); // eslint-disable-line @typescript-eslint/no-explicit-any

async function proxy(upstream: string): Promise<{ name: string; port: number }> {
  const name = `l${++count}`;
  const created = await api('POST', '/proxies', { name, upstream });
  return { name, port: Number(created.listen.split(':')[1]) };
}

/** `size` bytes that differ from one offset to the next, so a reordered or overwritten piece shows */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return bytes;
}
const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A socket's bytes as they arrive; `stallMs` stops reading now and then so the proxy's writes back up. */
function collect(socket: Socket, stallMs = 0): { data: () => Buffer; length: () => number; ended: Promise<void> } {
  const parts: Buffer[] = [];
  let length = 0;
  socket.on('data', (chunk: Buffer) => {
    parts.push(chunk);
    length += chunk.length;
    if (stallMs > 0 && parts.length % 8 === 0) {
      socket.pause();
      setTimeout(() => socket.resume(), stallMs);
    }
  });
  const ended = new Promise<void>((resolve) => socket.once('end', resolve));
  return { data: () => Buffer.concat(parts), length: () => length, ended };
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('links on bulk data', () => {
  it('this Node lets an accepted socket read into one reusable buffer', async () => {
    const reads: string[] = [];
    let result: boolean | undefined;
    const buffer = Buffer.alloc(1024);
    const peer = await listenTcp((socket) => {
      socket.once('data', (first: Buffer) => {
        reads.push(first.toString());
        result = useReadBuffer(socket, buffer, (bytes) => reads.push(buffer.toString('latin1', 0, bytes)));
        socket.write('go');
      });
      socket.on('end', () => socket.end());
    });
    const client = await open(peer.port);
    const ended = collect(client).ended;
    client.write('one');
    await waitFor(() => result !== undefined);
    client.write('two');
    await waitFor(() => reads.join('') === 'onetwo');
    client.end();
    await ended; // the end of stream still arrives
    expect(result).toBe(true);
    await peer.close();
  });

  it('carries every byte in order both ways through the reusable buffers, with slow readers', async () => {
    const up = pattern(24 << 20, 1);
    const down = pattern(24 << 20, 2);
    let received: ReturnType<typeof collect> | undefined;
    const peer = await listenTcp((socket) => {
      received = collect(socket, 3);
      socket.write(down);
      socket.end();
    });
    const client = await open((await proxy(peer.address)).port);
    const back = collect(client, 3);
    client.write(up);
    client.end();
    await back.ended;
    await waitFor(() => received !== undefined);
    await received!.ended;
    expect(digest(back.data())).toBe(digest(down));
    expect(digest(received!.data())).toBe(digest(up));
    await peer.close();
  });

  it('a toxic added and removed during a bulk transfer delays it and keeps every byte in order', async () => {
    const body = pattern(48 << 20, 3);
    let sink: ReturnType<typeof collect> | undefined;
    const peer = await listenTcp((socket) => {
      sink = collect(socket);
      socket.on('end', () => socket.end());
    });
    const p = await proxy(peer.address);
    const client = await open(p.port);
    client.on('data', () => undefined);
    let offset = 0;
    const send = async (bytes: number): Promise<void> => {
      for (const end = Math.min(body.length, offset + bytes); offset < end; offset += 1 << 20) {
        if (!client.write(body.subarray(offset, Math.min(end, offset + (1 << 20))))) await new Promise((r) => client.once('drain', r));
      }
    };
    await send(16 << 20);
    await waitFor(() => sink !== undefined && sink.length() >= 8 << 20);
    await api('POST', `/proxies/${p.name}/toxics`, { name: 'lag', type: 'latency', stream: 'upstream', attributes: { latency: 150 } });
    // what the client sends from now on leaves the proxy no sooner than 150 ms after it arrived
    await waitFor(() => sink!.length() === offset);
    const sentAt = performance.now();
    await send(1 << 20);
    await waitFor(() => sink!.length() === offset);
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(145);
    await send(16 << 20);
    await api('DELETE', `/proxies/${p.name}/toxics/lag`);
    await send(body.length);
    client.end();
    await sink!.ended;
    expect(digest(sink!.data())).toBe(digest(body));
    client.destroy();
    await peer.close();
  });
});
