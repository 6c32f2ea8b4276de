import { describe, expect, it } from 'vitest';
import { encodingModule } from './encoding.js';

const encoding = encodingModule.create(undefined as never) as {
  b64encode(input: unknown, enc?: string): string;
  b64decode(input: string, enc?: string, format?: string): ArrayBuffer | string;
};

describe('k6/encoding', () => {
  it('encodes strings as UTF-8 and ArrayBuffers as bytes, in the four alphabets', () => {
    expect(encoding.b64encode('hello world')).toBe('aGVsbG8gd29ybGQ=');
    expect(encoding.b64encode(new Uint8Array([104, 105]).buffer)).toBe('aGk=');
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe]).buffer; // +/+ in std, -_- in url
    expect(encoding.b64encode(bytes, 'std')).toBe('+//+');
    expect(encoding.b64encode(bytes, 'url')).toBe('-__-');
    expect(encoding.b64encode('ab', 'std')).toBe('YWI=');
    expect(encoding.b64encode('ab', 'rawstd')).toBe('YWI');
    expect(encoding.b64encode('ab', 'url')).toBe('YWI=');
    expect(encoding.b64encode('ab', 'rawurl')).toBe('YWI');
    expect(encoding.b64encode('€')).toBe('4oKs');
  });

  it('decodes to an ArrayBuffer, or to a string with format "s"', () => {
    const buf = encoding.b64decode('aGVsbG8gd29ybGQ=');
    expect(buf).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(buf as ArrayBuffer)).toBe('hello world');
    expect(encoding.b64decode('aGVsbG8gd29ybGQ=', 'std', 's')).toBe('hello world');
    expect(encoding.b64decode('YWI', 'rawstd', 's')).toBe('ab');
    expect(encoding.b64decode('-__-', 'rawurl')).toEqual(new Uint8Array([0xfb, 0xff, 0xfe]).buffer);
  });

  it('refuses input that is not base64 of the variant asked for, as Go does', () => {
    expect(() => encoding.b64decode('YWI', 'std')).toThrow(/not valid std base64/);
    expect(() => encoding.b64decode('-__-', 'std')).toThrow(/not valid std base64/);
    expect(() => encoding.b64decode('YWI=', 'rawurl')).toThrow(/not valid rawurl base64/);
    expect(() => encoding.b64encode('x', 'base32')).toThrow(/unknown base64 encoding "base32"; use "std", "rawstd", "url" or "rawurl"/);
  });
});
