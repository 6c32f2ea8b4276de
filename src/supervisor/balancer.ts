import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { listenOrExplain } from './ports.js';

/**
 * The local stand-in for a Kubernetes Service: one listening port per service that spreads
 * requests round-robin over the service's ready replicas. It balances per REQUEST, not per
 * connection, so a replica that joins gets traffic at once even from clients that keep their
 * connections alive (a TCP balancer would pin those clients to the old replicas). A replica that
 * leaves is taken out of the rotation first and closed only when its in-flight requests are done.
 */

export interface BalancerTarget {
  id: string;
  port: number;
}

interface Member extends BalancerTarget {
  pool: Pool;
  inFlight: number;
  idle: Array<() => void>;
}

/** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded (plus what undici refuses). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Copies headers without the hop-by-hop ones, including those the Connection header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connection = headers.connection;
  const named = new Set(
    (Array.isArray(connection) ? connection.join(',') : (connection ?? ''))
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** How long a removed replica may take to finish its in-flight requests before it is closed anyway. */
const DRAIN_LIMIT_MS = 30_000;

export class RoundRobinBalancer {
  readonly service: string;
  readonly port: number;
  private readonly members: Member[] = [];
  private readonly leaving = new Set<Member>();
  private next = 0;
  private server: Server | undefined;

  constructor(service: string, port: number) {
    this.service = service;
    this.port = port;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await listenOrExplain(server, this.port, `the ${this.service} balancer`);
    this.server = server;
  }

  get address(): string {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? this.port;
    return `127.0.0.1:${port}`;
  }

  /** Ids of the replicas in the rotation. */
  targets(): string[] {
    return this.members.map((m) => m.id);
  }

  /** Puts a ready replica into the rotation. */
  add(target: BalancerTarget): void {
    if (this.members.some((m) => m.id === target.id)) return;
    const pool = new Pool(`http://127.0.0.1:${target.port}`, { connections: 64, keepAliveTimeout: 4_000 });
    this.members.push({ ...target, pool, inFlight: 0, idle: [] });
  }

  /**
   * Takes a replica out of the rotation at once, then waits until its in-flight requests have
   * finished (bounded by DRAIN_LIMIT_MS) and closes its connections. Only then may it be stopped.
   */
  async remove(id: string): Promise<void> {
    const i = this.members.findIndex((m) => m.id === id);
    if (i < 0) return;
    const [member] = this.members.splice(i, 1) as [Member];
    this.leaving.add(member);
    if (member.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_LIMIT_MS);
        member.idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.leaving.delete(member);
    await member.pool.close().catch(() => member.pool.destroy());
  }

  /** Forgets a replica that is already gone (crashed): no drain, its requests have failed anyway. */
  drop(id: string): void {
    const i = this.members.findIndex((m) => m.id === id);
    if (i < 0) return;
    const [member] = this.members.splice(i, 1) as [Member];
    void member.pool.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    const all = [...this.members.splice(0), ...this.leaving];
    this.leaving.clear();
    await Promise.all(all.map((m) => m.pool.destroy().catch(() => undefined)));
  }

  private pick(exclude: ReadonlySet<Member>): Member | undefined {
    const candidates = this.members.filter((m) => !exclude.has(m));
    if (candidates.length === 0) return undefined;
    this.next = (this.next + 1) % candidates.length;
    return candidates[this.next];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const headers = endToEndHeaders(req.headers);
    const remote = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${remote}` : remote;
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    void this.forward(req, res, headers, hasBody, abort.signal, new Set());
  }

  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string | string[]>,
    hasBody: boolean,
    signal: AbortSignal,
    tried: Set<Member>,
  ): Promise<void> {
    const member = this.pick(tried);
    if (!member) {
      if (tried.size > 0) return; // the last attempt already answered
      return sendError(res, 503, `no ready replica of ${this.service} behind ${this.address} (all are starting, draining or gone); retry shortly or check \`peakready status\``, {
        'retry-after': '1',
      });
    }
    tried.add(member);
    member.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      member.inFlight--;
      if (member.inFlight === 0) for (const wake of member.idle.splice(0)) wake();
    };
    try {
      const upstream = await member.pool.request({
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: hasBody ? req : null,
        signal,
      });
      res.writeHead(upstream.statusCode, endToEndHeaders(upstream.headers));
      pipeline(upstream.body, res, () => release());
    } catch (error) {
      release();
      if (signal.aborted) return;
      const code = (error as NodeJS.ErrnoException).code;
      // Nothing reached the replica (it is gone or not listening any more): another one may answer.
      if (!hasBody && (code === 'ECONNREFUSED' || code === 'ECONNRESET') && this.members.some((m) => !tried.has(m))) {
        return this.forward(req, res, headers, hasBody, signal, tried);
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, 502, `${this.service} replica ${member.id} (127.0.0.1:${member.port}) failed: ${code ?? (error as Error).message}; see its log in the run directory`);
    }
  }
}

function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}
