import { describe, expect, it } from 'vitest';
import { encodeBody } from './http-body.js';

describe('request bodies as k6 sends them', () => {
  it('sends an object as a form: keys in order, an array value as the key repeated', () => {
    const headers: Record<string, string> = {};
    expect(encodeBody({ size: ['S', 'M'], color: 'red', note: 'a b&c' }, headers)).toBe('color=red&note=a+b%26c&size=S&size=M');
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('sends an object holding a file as multipart/form-data', () => {
    const headers: Record<string, string> = {};
    const body = Buffer.from(encodeBody({ name: 'avatar', upload: { data: 'PNGDATA', filename: 'a.png', content_type: 'image/png' } }, headers) as Uint8Array).toString();
    const boundary = /boundary=(\w+)/.exec(headers['content-type']!)![1];
    expect(body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\navatar\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--${boundary}--\r\n`,
    );
  });

  it('keeps strings, bytes and a missing body as they are', () => {
    expect(encodeBody('{"a":1}', {})).toBe('{"a":1}');
    expect(encodeBody(new Uint8Array([1, 2]).buffer, {})).toEqual(new Uint8Array([1, 2]));
    expect(encodeBody(null, {})).toBeNull();
  });
});
