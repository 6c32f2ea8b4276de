import { parseHostPort } from './address.js';
import { ApiError, badBody, missingField, proxyAlreadyExists, proxyNotFound } from './api-error.js';
import type { DataPlane } from './data-plane.js';
import { nameProblem } from './names.js';
import { Proxy } from './proxy.js';
import { asObject } from './toxic-input.js';

/** A proxy as the API receives it, checked. */
interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Toxiproxy binds every interface for an empty listen; peakready keeps admin things on loopback. */
const DEFAULT_LISTEN = '127.0.0.1:0';
const MAX_PROXIES = 1000;

/**
 * Every proxy, by name, and the operations the API offers on them. Each operation validates
 * everything before it changes anything, and undoes its own partial work when a listener
 * cannot start, so a failed request never leaves a half-made proxy.
 */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(private readonly dataPlane: DataPlane) {}

  all(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  async create(body: unknown): Promise<Proxy> {
    const input = parseProxyInput(body, '');
    if (this.proxies.has(input.name)) throw proxyAlreadyExists();
    this.checkRoom(1);
    const proxy = new Proxy(this.dataPlane, input.name, input.listen, input.upstream);
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** POST /populate: creates, or replaces those whose listen or upstream differ; all checked first. */
  async populate(body: unknown): Promise<Proxy[]> {
    if (!Array.isArray(body)) throw badBody('expected a JSON array of proxies');
    const inputs = body.map((item, i) => parseProxyInput(item, ` at proxy ${i + 1}`));
    const seen = new Set<string>();
    for (const input of inputs) {
      if (seen.has(input.name)) throw badBody(`duplicate proxy name ${JSON.stringify(input.name)}`);
      seen.add(input.name);
    }
    this.checkRoom(inputs.filter((i) => !this.proxies.has(i.name)).length);
    const applied: Array<{ proxy: Proxy; replaced?: Proxy }> = [];
    try {
      for (const input of inputs) {
        const existing = this.proxies.get(input.name);
        if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
          applied.push({ proxy: existing, replaced: existing });
          continue;
        }
        if (existing) await existing.stop();
        const proxy = new Proxy(this.dataPlane, input.name, input.listen, input.upstream);
        applied.push({ proxy, ...(existing ? { replaced: existing } : {}) });
        if (input.enabled) await proxy.start();
        this.proxies.set(proxy.name, proxy);
      }
    } catch (error) {
      await this.undo(applied);
      throw error;
    }
    return applied.map((a) => a.proxy);
  }

  /** POST/PATCH /proxies/{name}: missing fields keep their values; a new address restarts it. */
  async update(name: string, body: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    const input = asObject(body);
    const listen = optionalString(input.listen, 'listen') ?? proxy.listen;
    const upstream = optionalString(input.upstream, 'upstream') ?? proxy.upstream;
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw badBody('enabled must be true or false');
    const enabled = (input.enabled as boolean | undefined) ?? proxy.enabled;
    parseHostPort(listen, 'listen');
    parseHostPort(upstream, 'upstream');
    if (listen !== proxy.listen || upstream !== proxy.upstream) {
      const before = { listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled };
      await proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
      try {
        if (enabled) await proxy.start();
      } catch (error) {
        proxy.listen = before.listen;
        proxy.upstream = before.upstream;
        if (before.enabled) await proxy.start().catch(() => undefined);
        throw error;
      }
    } else if (enabled && !proxy.enabled) await proxy.start();
    else if (!enabled && proxy.enabled) await proxy.stop();
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  /** POST /reset: every proxy enabled again, every toxic removed; proxies stay. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.removeAllToxics();
      await proxy.start();
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all().map((p) => p.stop()));
    this.proxies.clear();
  }

  private checkRoom(adding: number): void {
    if (this.proxies.size + adding > MAX_PROXIES) throw new ApiError(`too many proxies (at most ${MAX_PROXIES})`, 400, 'bad request body');
  }

  private async undo(applied: Array<{ proxy: Proxy; replaced?: Proxy }>): Promise<void> {
    for (const { proxy, replaced } of applied.reverse()) {
      if (proxy === replaced) continue;
      await proxy.stop();
      if (replaced) {
        this.proxies.set(replaced.name, replaced);
        await replaced.start().catch(() => undefined);
      } else this.proxies.delete(proxy.name);
    }
  }
}

function parseProxyInput(body: unknown, where: string): ProxyInput {
  const input = asObject(body);
  const name = optionalString(input.name, 'name');
  const upstream = optionalString(input.upstream, 'upstream');
  const listen = optionalString(input.listen, 'listen') || DEFAULT_LISTEN;
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw badBody('enabled must be true or false');
  if (!name) throw missingField(`name${where}`);
  if (!upstream) throw missingField(`upstream${where}`);
  const badName = nameProblem(name);
  if (badName) throw badBody(badName);
  parseHostPort(listen, 'listen');
  parseHostPort(upstream, 'upstream');
  return { name, listen, upstream, enabled: (input.enabled as boolean | undefined) ?? true };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badBody(`${field} must be a string`);
  return value;
}
