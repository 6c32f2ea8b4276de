import { createServer, type AddressInfo, type Server } from 'node:net';
import { formatHostPort, parseHostPort } from './address.js';
import { ApiError, toxicAlreadyExists, toxicNotFound } from './api-error.js';
import { ProxyConnection } from './connection.js';
import { toxicJson, type ToxicState } from './toxic-state.js';

/**
 * One named proxy: a TCP listener on `listen` forwarding every connection to `upstream` through
 * the proxy's toxics. Disabling it stops listening and closes its connections; enabling it
 * listens on the same address again (the real port when it was created with port 0).
 */
export class Proxy {
  readonly toxics: ToxicState[] = [];
  private readonly connections = new Set<ProxyConnection>();
  private server: Server | undefined;

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    public enabled = false,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  json(): Record<string, unknown> {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicsJson() };
  }

  /** As Toxiproxy lists them: the upstream chain, then the downstream chain, each in the order added. */
  toxicsJson(): Array<Record<string, unknown>> {
    return [...this.toxics.filter((t) => t.stream === 'upstream'), ...this.toxics.filter((t) => t.stream === 'downstream')].map(toxicJson);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { host, port } = parseHostPort(this.listen, 'listen');
    const target = parseHostPort(this.upstream, 'upstream');
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      const connection = new ProxyConnection(socket, target, () => this.toxics, (c) => this.connections.delete(c));
      this.connections.add(connection);
    });
    server.maxConnections = 100_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        // Go's message for the same failure, e.g. "listen tcp 127.0.0.1:80: bind: permission denied"
        reject(new ApiError(`listen tcp ${this.listen}: ${error.code === 'EADDRINUSE' ? 'bind: address already in use' : error.message}`, 500)),
      );
      server.listen({ host: host || undefined, port, backlog: 4096 }, () => resolve());
    });
    server.on('error', () => {}); // after listening, accept errors (EMFILE) must not crash the server
    const address = server.address() as AddressInfo;
    this.listen = host === '' ? `[::]:${address.port}` : formatHostPort(address.address, address.port);
    this.server = server;
    this.enabled = true;
  }

  async stop(): Promise<void> {
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  getToxic(name: string): ToxicState {
    const found = this.toxics.find((t) => t.name === name);
    if (!found) throw toxicNotFound();
    return found;
  }

  addToxic(toxic: ToxicState): void {
    if (this.toxics.some((t) => t.name === toxic.name)) throw toxicAlreadyExists();
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
  }

  removeToxic(name: string): void {
    const toxic = this.getToxic(name);
    this.toxics.splice(this.toxics.indexOf(toxic), 1);
    for (const connection of this.connections) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic.name);
  }
}
