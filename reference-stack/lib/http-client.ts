import { Pool } from 'undici';
import { upstreamEnvVar, type UpstreamName } from '../../src/stack/definition.js';
import { envNumber, envString, identity } from './env.js';
import { httpClientDuration } from './metrics.js';

/**
 * Calls to another service of the stack. The address always comes from `<UPSTREAM>_URL`, so a
 * fault proxy (or a balancer) can sit on any edge. One keep-alive undici Pool per upstream; every
 * call has a deadline.
 */

export class UpstreamError extends Error {
  constructor(
    readonly upstream: string,
    readonly kind: 'timeout' | 'unreachable' | 'bad_response',
    message: string,
  ) {
    super(message);
  }
}

export interface UpstreamResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** an outer cancellation (a resilience policy's timeout) */
  signal?: AbortSignal;
}

export class Upstream {
  private readonly pool: Pool;

  constructor(
    readonly name: UpstreamName,
    readonly baseUrl: string,
    private readonly defaultTimeoutMs: number,
  ) {
    this.pool = new Pool(baseUrl, {
      connections: envNumber('UPSTREAM_CONNECTIONS', 64, { min: 1, max: 4096, integer: true }),
      keepAliveTimeout: 10_000,
      connectTimeout: Math.min(defaultTimeoutMs, 5_000),
    });
  }

  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<UpstreamResponse<T>> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const started = process.hrtime.bigint();
    let status = 0;
    try {
      const res = await this.pool.request({ method: method as 'GET', path, headers, body: payload, signal });
      status = res.statusCode;
      const text = await res.body.text();
      let body: unknown = null;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new UpstreamError(this.name, 'bad_response', `${this.name} answered ${status} with a non-JSON body`);
        }
      }
      return { status, body: body as T, headers: res.headers };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (deadline.aborted) throw new UpstreamError(this.name, 'timeout', `${this.name} did not answer ${method} ${path} within ${timeoutMs} ms`);
      if (options.signal?.aborted) throw error;
      const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
      throw new UpstreamError(this.name, 'unreachable', `${this.name} at ${this.baseUrl} is unreachable (${reason})`);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpClientDuration.observe({ service: identity.service, upstream: this.name, method, status_code: String(status) }, seconds);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The upstream at `<UPSTREAM>_URL` (required: the supervisor always passes it). */
export function upstreamFromEnv(name: UpstreamName, defaultTimeoutMs: number): Upstream {
  return new Upstream(name, envString(upstreamEnvVar(name)), defaultTimeoutMs);
}
