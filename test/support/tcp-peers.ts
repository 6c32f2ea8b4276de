import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * Small real TCP peers for the fault proxy's tests and benchmarks: an echo server, a server that
 * sends a fixed payload, and a client that records what arrives and when.
 */
export interface TcpPeer {
  server: Server;
  port: number;
  address: string;
  close(): Promise<void>;
}

export async function listenTcp(onSocket: (socket: Socket) => void): Promise<TcpPeer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back; ends its side when the client ends. */
export function echoServer(): Promise<TcpPeer> {
  return listenTcp((socket) => socket.pipe(socket));
}

/** Reading side of a client connection: every chunk with its arrival time, and how it ended. */
export interface Received {
  socket: Socket;
  chunks: Array<{ at: number; bytes: number }>;
  data(): Buffer;
  /** resolves with 'end' (FIN), 'reset' (ECONNRESET) or 'error:<code>' once the socket is closed */
  closed: Promise<string>;
  connectedAt: number;
}

export async function openClient(port: number, host = '127.0.0.1'): Promise<Received> {
  const socket = connect({ port, host, noDelay: true, allowHalfOpen: true });
  const buffers: Buffer[] = [];
  const chunks: Received['chunks'] = [];
  let how = 'end';
  socket.on('data', (chunk: Buffer) => {
    buffers.push(chunk);
    chunks.push({ at: performance.now(), bytes: chunk.length });
  });
  const closed = new Promise<string>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => (how = error.code === 'ECONNRESET' ? 'reset' : `error:${error.code}`));
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve(how));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, chunks, data: () => Buffer.concat(buffers), closed, connectedAt: performance.now() };
}

/** Sends `payload` and waits until `expected` bytes came back; returns the round trip in ms. */
export async function roundTrip(client: Received, payload: Buffer | string, expected = Buffer.byteLength(payload)): Promise<number> {
  const before = client.data().length;
  const started = performance.now();
  client.socket.write(payload);
  await waitFor(() => client.data().length - before >= expected);
  return performance.now() - started;
}

/** Polls a condition every few ms (for byte counts arriving over a real socket); the test's own timeout bounds it. */
export async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
}
