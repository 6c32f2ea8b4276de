import type { Socket } from 'node:net';

/**
 * One HTTP/1.1 response read off a socket: status line and headers, then a body framed by
 * Content-Length, chunked transfer coding, or the end of the connection (RFC 9112 §6).
 * Pure over the bytes it is fed, so it is tested without sockets.
 */
export class ResponseReader {
  status = 0;
  statusText = '';
  headers: Record<string, string | string[]> = {};
  /** body pieces (not kept when the body is discarded) */
  readonly chunks: Buffer[] = [];
  /** true when the server will close: `Connection: close`, HTTP/1.0, or a body read to the end */
  closeAfter = false;
  done = false;
  private state: 'head' | 'length' | 'chunked' | 'eof' = 'head';
  private pending: Buffer | null = null;
  private remaining = 0;
  private chunkState: 'size' | 'data' | 'crlf' | 'trailer' = 'size';

  constructor(
    private readonly noBody: boolean,
    private readonly keepBody: boolean,
  ) {}

  /** true while feeding bytes whose memory is reused after `feed` returns: what is kept is copied */
  private transient = false;

  /**
   * Feeds bytes; returns true once the response is complete. Throws on a malformed response.
   * `transient`: `data` is a read buffer reused after this call (the socket's `onread`).
   */
  feed(data: Buffer, transient = false): boolean {
    this.transient = transient;
    if (this.state === 'head') {
      const buf = this.pending ? Buffer.concat([this.pending, data]) : data;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 64 * 1024) throw new Error('response headers larger than 64 KiB');
        this.pending = buf === data && transient ? Buffer.from(buf) : buf;
        return false;
      }
      this.pending = null;
      this.parseHead(buf.toString('latin1', 0, end));
      return this.body(buf.subarray(end + 4));
    }
    return this.body(data);
  }

  /** The connection ended: completes a body read to the end, else the response was cut short. */
  end(): boolean {
    if (this.state === 'eof') {
      this.done = true;
      return true;
    }
    return this.done;
  }

  private parseHead(head: string): void {
    let eol = head.indexOf('\r\n');
    if (eol < 0) eol = head.length;
    const statusLine = head.slice(0, eol);
    const m = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new Error(`malformed status line "${statusLine.slice(0, 60)}"`);
    this.status = Number(m[3]);
    this.statusText = m[4] ?? '';
    const http10 = m[1] === '1' && m[2] === '0';
    // header lines sliced straight out of the head: no array of lines, no line strings
    for (let start = eol + 2; start < head.length; start = eol + 2) {
      eol = head.indexOf('\r\n', start);
      if (eol < 0) eol = head.length;
      const colon = head.indexOf(':', start);
      if (colon <= start || colon >= eol) continue;
      const name = head.slice(start, colon).trim().toLowerCase();
      let from = colon + 1;
      while (from < eol && (head.charCodeAt(from) === 32 || head.charCodeAt(from) === 9)) from++;
      const value = head.slice(from, eol).trim();
      const existing = this.headers[name];
      if (existing === undefined) this.headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(existing)) existing.push(value);
      else this.headers[name] = `${existing}, ${value}`;
    }
    const connection = String(this.headers.connection ?? '').toLowerCase();
    this.closeAfter = connection.includes('close') || (http10 && !connection.includes('keep-alive'));
    const te = String(this.headers['transfer-encoding'] ?? '').toLowerCase();
    if (this.noBody || this.status === 204 || this.status === 304 || this.status < 200) {
      this.state = 'length';
      this.remaining = 0;
    } else if (te.includes('chunked')) this.state = 'chunked';
    else if (this.headers['content-length'] !== undefined) {
      this.state = 'length';
      this.remaining = Number(this.headers['content-length']);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) throw new Error(`bad Content-Length "${String(this.headers['content-length'])}"`);
    } else {
      this.state = 'eof';
      this.closeAfter = true;
    }
  }

  private keep(piece: Buffer): void {
    if (this.keepBody && piece.length) this.chunks.push(this.transient ? Buffer.from(piece) : piece);
  }

  private body(data: Buffer): boolean {
    if (this.state === 'length') {
      const n = Math.min(this.remaining, data.length);
      this.keep(data.subarray(0, n));
      this.remaining -= n;
      if (this.remaining === 0) this.done = true;
      return this.done;
    }
    if (this.state === 'eof') {
      this.keep(data);
      return false;
    }
    let buf = this.pending && this.pending.length ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      if (this.chunkState === 'size') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        const size = parseInt(buf.toString('latin1', 0, eol).split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunk size');
        buf = buf.subarray(eol + 2);
        if (size === 0) this.chunkState = 'trailer';
        else {
          this.chunkState = 'data';
          this.remaining = size;
        }
      } else if (this.chunkState === 'data') {
        const n = Math.min(this.remaining, buf.length);
        this.keep(buf.subarray(0, n));
        this.remaining -= n;
        buf = buf.subarray(n);
        if (this.remaining > 0) break;
        this.chunkState = 'crlf';
      } else if (this.chunkState === 'crlf') {
        if (buf.length < 2) break;
        buf = buf.subarray(2);
        this.chunkState = 'size';
      } else {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        buf = buf.subarray(eol + 2);
        if (eol === 0) {
          this.done = true;
          return true;
        }
      }
    }
    this.pending = buf.length ? Buffer.from(buf) : null;
    return false;
  }
}

/** What a pooled socket tells the exchange now using it. */
export interface SocketUser {
  /** bytes arrived; `transient`: `data` is a read buffer reused once this returns */
  data(data: Buffer, transient: boolean): void;
  /** the connection ended or failed */
  closed(error: Error | undefined): void;
}

/** A keep-alive connection to one origin, serving one exchange at a time. */
export interface PooledSocket {
  socket: Socket;
  /** served at least one response: a failure before any byte may be a stale keep-alive */
  reused: boolean;
  /** the exchange now using it */
  user: SocketUser | null;
}
