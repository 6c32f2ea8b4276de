import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { request } from 'undici';
import { didYouMean, EnvironmentError } from '../../errors.js';

/** A toxic as any Toxiproxy server reports it. */
export interface ServerToxic {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}
export interface ServerProxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ServerToxic[];
}

/**
 * What peakready does to faults, through the Toxiproxy HTTP API with toxiproxy-node-client, so
 * the embedded server and a real Toxiproxy behave the same. Where the client cannot do something,
 * undici makes the call and the method says why.
 */
export class FaultClient {
  private readonly client: Toxiproxy;

  constructor(readonly url: string) {
    this.client = new Toxiproxy(url.replace(/\/+$/, ''));
  }

  /**
   * Every proxy with its toxics. undici, because the client's getAll() builds Proxy objects that
   * drop the `toxics` array the server sends.
   */
  async proxies(): Promise<Record<string, ServerProxy>> {
    try {
      const response = await request(`${this.url.replace(/\/+$/, '')}/proxies`, { headers: { 'user-agent': 'peakready' } });
      const body = (await response.body.json()) as Record<string, ServerProxy>;
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      return body;
    } catch (error) {
      throw new EnvironmentError(
        `cannot reach the Toxiproxy API at ${this.url} (${(error as Error).message}); start the stack (\`peakready up\`), ` +
          'run `peakready toxiproxy serve`, or pass --toxiproxy URL',
      );
    }
  }

  /** Fails with the proxies that exist (and a "did you mean") when `name` is not one of them. */
  async requireProxy(name: string): Promise<ServerProxy> {
    const all = await this.proxies();
    const found = all[name];
    if (found) return found;
    const names = Object.keys(all);
    const guess = didYouMean(name, names);
    throw new EnvironmentError(
      `proxy "${name}" not found at ${this.url}${guess ? `; did you mean "${guess}"?` : ''} (proxies there: ${names.join(', ') || 'none'})`,
    );
  }

  async addToxic(proxy: string, toxic: ServerToxic): Promise<void> {
    const p = await this.client.get(proxy);
    await p.addToxic(toxic as unknown as ICreateToxicBody<unknown>);
  }

  async updateToxic(proxy: string, name: string, change: { toxicity?: number; attributes: Record<string, number> }): Promise<void> {
    const toxic = await (await this.client.get(proxy)).getToxic(name);
    await toxic.update({ ...toxic.toJson(), ...change, attributes: { ...(toxic.attributes as Record<string, number>), ...change.attributes } } as never);
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    const toxic = await (await this.client.get(proxy)).getToxic(name);
    await toxic.remove();
  }

  async setEnabled(proxy: string, enabled: boolean): Promise<void> {
    const p = await this.client.get(proxy);
    await p.update({ ...p.toJson(), enabled });
  }
}
