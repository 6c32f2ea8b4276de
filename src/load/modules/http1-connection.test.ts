import { describe, expect, it } from 'vitest';
import { ResponseReader } from './http1-connection.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Feeds a response split at every possible point, as TCP may deliver it. */
function readSplit(raw: string, noBody = false): ResponseReader[] {
  const out: ResponseReader[] = [];
  for (let cut = 1; cut < raw.length; cut++) {
    const r = new ResponseReader(noBody, true);
    const first = r.feed(bytes(raw.slice(0, cut)));
    const done = first || r.feed(bytes(raw.slice(cut)));
    expect(done, `cut at ${cut}`).toBe(true);
    out.push(r);
  }
  return out;
}

describe('HTTP/1.1 response reader', () => {
  it('reads a Content-Length body however the bytes arrive', () => {
    for (const r of readSplit('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n{"ok":true}')) {
      expect(r.status).toBe(200);
      expect(r.statusText).toBe('OK');
      expect(Buffer.concat(r.chunks).toString()).toBe('{"ok":true}');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(r.closeAfter).toBe(false);
    }
  });

  it('decodes chunked transfer coding with extensions and trailers', () => {
    const raw = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const r of readSplit(raw)) expect(Buffer.concat(r.chunks).toString()).toBe('hello world');
  });

  it('knows bodiless answers and connection close', () => {
    const head = new ResponseReader(true, true);
    expect(head.feed(bytes('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'))).toBe(true);
    const noContent = new ResponseReader(false, true);
    expect(noContent.feed(bytes('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'))).toBe(true);
    expect(noContent.closeAfter).toBe(true);
    const eof = new ResponseReader(false, true);
    expect(eof.feed(bytes('HTTP/1.0 200 OK\r\n\r\npartial'))).toBe(false);
    expect(eof.end()).toBe(true);
    expect(Buffer.concat(eof.chunks).toString()).toBe('partial');
  });

  it('refuses a malformed status line', () => {
    expect(() => new ResponseReader(false, true).feed(bytes('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow('malformed status line');
  });
});
