import { connect, type Socket } from 'node:net';
import { Link, type LinkOwner } from './link.js';
import type { HostPort } from './address.js';
import type { ToxicState } from './toxic-state.js';

/**
 * One client connection through a proxy: a socket to the upstream, and two links, upstream
 * (client -> server) and downstream (server -> client), each with its own toxic chain.
 */
export class ProxyConnection implements LinkOwner {
  private readonly upstream: Socket;
  private links: { upstream: Link; downstream: Link } | undefined;
  private finished = false;
  private closedSockets = 0;

  constructor(
    private readonly client: Socket,
    target: HostPort,
    toxics: () => readonly ToxicState[],
    private readonly onFinished: (connection: ProxyConnection) => void,
  ) {
    client.setNoDelay(true);
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    this.upstream.once('connect', () => {
      if (this.finished) return;
      const all = toxics();
      this.links = {
        upstream: new Link(client, this.upstream, this, all.filter((t) => t.stream === 'upstream')),
        downstream: new Link(this.upstream, client, this, all.filter((t) => t.stream === 'downstream')),
      };
      // the proxy accepts clients paused (one may be handed to a helper process unread)
      client.resume();
    });
    for (const socket of [client, this.upstream]) {
      // A peer that vanished (ECONNRESET, refused upstream) takes the whole connection with it.
      socket.on('error', () => this.destroy());
      socket.once('close', () => {
        if (++this.closedSockets === 2) this.finish();
        else if (!this.links) this.destroy();
      });
    }
  }

  addToxic(toxic: ToxicState): void {
    this.links?.[toxic.stream].add(toxic);
  }

  removeToxic(toxic: ToxicState): void {
    this.links?.[toxic.stream].remove(toxic);
  }

  /** graceful: FIN to both peers once what was already written is flushed */
  close(): void {
    this.disposeLinks();
    this.client.destroySoon();
    this.upstream.destroySoon();
  }

  /** TCP RST to both peers */
  reset(): void {
    this.disposeLinks();
    for (const socket of [this.client, this.upstream]) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy(); // not connected yet: nothing to reset
      }
    }
  }

  destroy(): void {
    this.disposeLinks();
    this.client.destroy();
    this.upstream.destroy();
  }

  private disposeLinks(): void {
    this.links?.upstream.dispose();
    this.links?.downstream.dispose();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.disposeLinks();
    this.onFinished(this);
  }
}
