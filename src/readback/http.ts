import { randomBytes } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { Agent, request } from 'undici';

/** One read-back or replay request, and what came of it. */
export interface Exchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  /** 0 when no response came (error says why) */
  status: number;
  body?: string;
  error?: string;
}

/** a read-back body larger than this is not read: the fields of one record are far smaller */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * The read-back's HTTP: one undici Agent with as many connections per origin as the read-back may
 * have in flight, a timeout per request, and never a throw — a failed request is an answer with
 * status 0 and the error, so one bad id cannot stop the others being read.
 */
export class ReadBackHttp {
  private readonly agent: Agent;

  constructor(
    connections: number,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {
    this.agent = new Agent({ connections, pipelining: 1, connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    // every request in flight listens on the drill's one signal (undici: request and body), up to `connections` at a time
    if (signal) setMaxListeners(Math.max(getMaxListeners(signal), 2 * connections + 10), signal);
  }

  /**
   * Sends one read-back or replay. It carries a W3C traceparent whose sampled flag is off, so the
   * system does not trace verification traffic: a replayed checkout (answered from its idempotency
   * record) must not show up as a checkout trace that skipped its steps.
   */
  async send(exchange: Exchange): Promise<Answer> {
    try {
      const res = await request(exchange.url, {
        dispatcher: this.agent,
        method: exchange.method as 'GET',
        headers: { ...exchange.headers, traceparent: unsampledTraceparent() },
        ...(exchange.body !== undefined ? { body: exchange.body } : {}),
        ...(this.signal ? { signal: this.signal } : {}),
      });
      const length = Number(res.headers['content-length'] ?? 0);
      if (length > MAX_BODY) {
        await res.body.dump();
        return { status: res.statusCode, error: `response body of ${length} bytes is larger than ${MAX_BODY}` };
      }
      return { status: res.statusCode, body: await res.body.text() };
    } catch (error) {
      const e = error as Error & { code?: string };
      return { status: 0, error: e.code ? `${e.code}: ${e.message}` : e.message };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** `00-<trace id>-<parent id>-00`: a fresh trace, not sampled (W3C Trace Context, trace-flags 00). */
function unsampledTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}
