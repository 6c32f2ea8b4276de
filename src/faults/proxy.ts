import { createServer, type AddressInfo, type Server } from 'node:net';
import { formatHostPort, parseHostPort } from './address.js';
import { ApiError, toxicAlreadyExists, toxicNotFound } from './api-error.js';
import { ConnectionGroup } from './connection-group.js';
import { ProxyConnection } from './connection.js';
import type { DataPlane } from './data-plane.js';
import { toxicJson, type ToxicState } from './toxic-state.js';

/**
 * One named proxy: a TCP listener on `listen` forwarding every connection to `upstream` through
 * the proxy's toxics. Disabling it stops listening and closes its connections; enabling it
 * listens on the same address again (the real port when it was created with port 0). Its
 * connections live in this process, or in the data plane's helpers once this one is full.
 */
export class Proxy {
  private static created = 0;
  /** tells this proxy's connections in helper processes from those of a later one of the same name */
  private readonly id = ++Proxy.created;
  private readonly group = new ConnectionGroup();
  private server: Server | undefined;

  constructor(
    private readonly dataPlane: DataPlane,
    readonly name: string,
    public listen: string,
    public upstream: string,
    public enabled = false,
  ) {}

  get toxics(): readonly ToxicState[] {
    return this.group.toxics;
  }

  get connectionCount(): number {
    return this.group.connections.size;
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
    // paused: a socket handed to a helper process must not have been read from here
    const server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => {
      if (!this.dataPlane.takeLocal()) return this.dataPlane.hand(this.id, socket, target, this.toxics);
      const connection = new ProxyConnection(socket, target, () => this.toxics, (c) => {
        this.group.connections.delete(c);
        this.dataPlane.releaseLocal();
      });
      this.group.connections.add(connection);
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
    this.group.destroyConnections();
    await this.dataPlane.change({ type: 'close-proxy', proxy: this.id });
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  getToxic(name: string): ToxicState {
    const found = this.group.find(name);
    if (!found) throw toxicNotFound();
    return found;
  }

  /** Each change reaches every live connection, here and in helpers, before it resolves. */
  async addToxic(toxic: ToxicState): Promise<void> {
    if (this.group.find(toxic.name)) throw toxicAlreadyExists();
    this.group.addToxic(toxic);
    await this.dataPlane.change({ type: 'add-toxic', proxy: this.id, toxic });
  }

  async updateToxic(toxic: ToxicState, update: Pick<ToxicState, 'toxicity' | 'attributes'>): Promise<void> {
    this.group.updateToxic(toxic, update);
    await this.dataPlane.change({ type: 'update-toxic', proxy: this.id, name: toxic.name, ...update });
  }

  async removeToxic(name: string): Promise<void> {
    this.group.removeToxic(this.getToxic(name));
    await this.dataPlane.change({ type: 'remove-toxic', proxy: this.id, name });
  }

  async removeAllToxics(): Promise<void> {
    for (const toxic of [...this.toxics]) await this.removeToxic(toxic.name);
  }
}
