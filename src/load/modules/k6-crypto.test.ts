import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { k6CryptoModule } from './k6-crypto.js';
import { md4 } from './md4.js';

type Hasher = { update(d: unknown): void; digest(enc?: string): string | ArrayBuffer };
type Fn = (...a: unknown[]) => unknown;
const crypto = k6CryptoModule.create(undefined as never) as unknown as Record<'hmac' | 'randomBytes' | 'md4' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha512_224' | 'sha512_256' | 'ripemd160', Fn> & {
  createHash(a: string): Hasher;
  createHMAC(a: string, s: unknown): Hasher;
};

describe('k6/crypto', () => {
  it('hashes with every algorithm k6 names (known vectors)', () => {
    expect(crypto.sha256('hello world!', 'hex')).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(crypto.md5('abc', 'hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(crypto.sha1('abc', 'hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(crypto.sha384('abc', 'hex')).toMatch(/^cb00753f45a35e8b/);
    expect(crypto.sha512('abc', 'hex')).toMatch(/^ddaf35a193617aba/);
    expect(crypto.sha512_224('abc', 'hex')).toBe('4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa');
    expect(crypto.sha512_256('abc', 'hex')).toBe('53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
    expect(crypto.ripemd160('abc', 'hex')).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
    // RFC 1320's test suite
    expect(crypto.md4('', 'hex')).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(crypto.md4('abc', 'hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(crypto.md4('12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'hex')).toBe('e33b4ddc9c38f2199c3e7b164fcc0536');
  });

  it('gives the digest as hex, base64, base64url (padded), base64rawurl or binary', () => {
    const h = crypto.createHash('sha256');
    h.update('hello ');
    h.update('world!');
    expect(h.digest('hex')).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(h.digest('base64')).toBe('dQnlvaDHYtK6x/kNdYtbImP6Acy8VCq1498WO+CObKk=');
    expect(h.digest('base64url')).toBe('dQnlvaDHYtK6x_kNdYtbImP6Acy8VCq1498WO-CObKk=');
    expect(h.digest('base64rawurl')).toBe('dQnlvaDHYtK6x_kNdYtbImP6Acy8VCq1498WO-CObKk');
    expect(new Uint8Array(h.digest('binary') as ArrayBuffer)[0]).toBe(0x75);
    // the digest can be read, then more added, as Go's hash.Sum
    h.update('!');
    expect(h.digest('hex')).toBe(crypto.sha256('hello world!!', 'hex'));
    expect(() => h.digest('base32')).toThrow(/invalid output encoding "base32"/);
  });

  it('computes HMACs, one-shot and incremental (RFC 4231 test case 2)', () => {
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(crypto.hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(expected);
    const h = crypto.createHMAC('sha256', 'Jefe');
    h.update('what do ya want ');
    expect(h.digest('hex')).not.toBe(expected);
    h.update('for nothing?');
    expect(h.digest('hex')).toBe(expected);
    // HMAC-MD4 runs over our own MD4; the same construction over MD5 matches OpenSSL's
    expect(crypto.hmac('md4', 'key', 'data', 'hex')).toMatch(/^[0-9a-f]{32}$/);
    expect(crypto.hmac('md5', 'key', 'data', 'hex')).toBe(createHmac('md5', 'key').update('data').digest('hex'));
  });

  it('refuses an unknown algorithm naming the ones there are; randomBytes gives fresh bytes', () => {
    expect(() => crypto.createHash('sha3')).toThrow(/invalid algorithm "sha3"; use one of md4, md5, sha1/);
    const a = new Uint8Array(crypto.randomBytes(16) as ArrayBuffer);
    const b = new Uint8Array(crypto.randomBytes(16) as ArrayBuffer);
    expect(a).toHaveLength(16);
    expect(a).not.toEqual(b);
    expect(() => crypto.randomBytes(0)).toThrow(/positive integer/);
  });

  it('md4 agrees with itself over block boundaries', () => {
    // 55, 56 and 64 bytes straddle the padding's edge cases
    for (const n of [55, 56, 63, 64, 65, 119, 120]) expect(md4(Buffer.alloc(n, 0x61))).toHaveLength(16);
    expect(md4(Buffer.from('message digest')).toString('hex')).toBe('d9130a8164549fe818874806e1c7014b');
    expect(md4(Buffer.from('abcdefghijklmnopqrstuvwxyz')).toString('hex')).toBe('d79e1c308aa5bbcdeea8ed63df412da9');
  });
});
