import type { ProxyConnection } from './connection.js';
import type { ToxicState } from './toxic-state.js';

/**
 * One proxy's toxics and the live connections they act on, wherever those connections are: the
 * proxy's own process (proxy.ts) or a helper process (data-plane-helper.ts), so both apply a
 * change the same way. A new connection takes the toxics as they are when it connects.
 */
export class ConnectionGroup {
  readonly connections = new Set<ProxyConnection>();

  constructor(readonly toxics: ToxicState[] = []) {}

  find(name: string): ToxicState | undefined {
    return this.toxics.find((t) => t.name === name);
  }

  addToxic(toxic: ToxicState): void {
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
  }

  /** live connections read a toxic's attributes as they go, so new values reach them at once */
  updateToxic(toxic: ToxicState, update: Pick<ToxicState, 'toxicity' | 'attributes'>): void {
    toxic.toxicity = update.toxicity;
    toxic.attributes = update.attributes;
  }

  removeToxic(toxic: ToxicState): void {
    this.toxics.splice(this.toxics.indexOf(toxic), 1);
    for (const connection of this.connections) connection.removeToxic(toxic);
  }

  destroyConnections(): void {
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }
}
