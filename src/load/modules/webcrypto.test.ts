import { describe, expect, it } from 'vitest';
import { k6WebCrypto } from './webcrypto.js';

const crypto = k6WebCrypto();
const { subtle } = crypto;
const text = (s: string) => new TextEncoder().encode(s);

describe('the global crypto, as k6 exposes WebCrypto', () => {
  it('digests with the SHA family and refuses what k6 does not offer', async () => {
    const sum = Buffer.from(await subtle.digest('SHA-256', text('hello world!'))).toString('hex');
    expect(sum).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(Buffer.from(await subtle.digest({ name: 'sha-1' }, text('abc'))).toString('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    await expect(subtle.digest('MD5', text('x'))).rejects.toMatchObject({ name: 'NotSupportedError', message: expect.stringMatching(/"MD5" is not supported for digest \(k6 supports SHA-1, SHA-256, SHA-384, SHA-512\)/) });
  });

  it('signs and verifies with HMAC; keys print as k6 prints them', async () => {
    const key = await subtle.generateKey({ name: 'HMAC', hash: { name: 'SHA-256' } }, true, ['sign', 'verify']);
    expect(JSON.parse(JSON.stringify(key))).toEqual({
      type: 'secret',
      extractable: true,
      algorithm: { name: 'HMAC', length: 512, hash: { name: 'SHA-256' } },
      usages: ['sign', 'verify'],
    });
    const sig = await subtle.sign('HMAC', key as never, text('payload'));
    expect(await subtle.verify('HMAC', key as never, sig, text('payload'))).toBe(true);
    expect(await subtle.verify('HMAC', key as never, sig, text('tampered'))).toBe(false);
  });

  it('signs and verifies with ECDSA key pairs, and exports EC JWKs with key material only', async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as { privateKey: object; publicKey: object };
    expect(pair.publicKey).toMatchObject({ type: 'public', algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['verify'] });
    const alg = { name: 'ECDSA', hash: { name: 'SHA-256' } };
    const sig = await subtle.sign(alg, pair.privateKey, text('order-1'));
    expect(await subtle.verify(alg, pair.publicKey, sig, text('order-1'))).toBe(true);
    const jwk = (await subtle.exportKey('jwk', pair.publicKey)) as Record<string, unknown>;
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const back = await subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    expect(await subtle.verify(alg, back, sig, text('order-1'))).toBe(true);
  });

  it('encrypts and decrypts with AES-GCM and AES-CBC keys, imported raw', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    for (const name of ['AES-GCM', 'AES-CBC']) {
      const key = await subtle.importKey('raw', raw, { name }, false, ['encrypt', 'decrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(name === 'AES-GCM' ? 12 : 16));
      const sealed = await subtle.encrypt({ name, iv }, key, text('card 4111'));
      expect(new TextDecoder().decode(await subtle.decrypt({ name, iv }, key, sealed))).toBe('card 4111');
    }
    const key = await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
    await expect(subtle.exportKey('raw', key)).rejects.toThrow(/not extractable/);
  });

  it("applies k6's JWK rules on import", async () => {
    const k = Buffer.alloc(32, 7).toString('base64url');
    const hmac = { name: 'HMAC', hash: 'SHA-256' };
    await expect(subtle.importKey('jwk', { kty: 'oct', k, key_ops: ['sign', 'sign'] }, hmac, true, ['sign'])).rejects.toMatchObject({ name: 'DataError', message: expect.stringMatching(/duplicate key operation/) });
    await expect(subtle.importKey('jwk', { kty: 'oct', k, key_ops: ['sign', 'encrypt'] }, hmac, true, ['sign'])).rejects.toMatchObject({ name: 'DataError', message: expect.stringMatching(/invalid combination of key operations/) });
    await expect(subtle.importKey('jwk', { kty: 'oct', k, key_ops: ['verify'] }, hmac, true, ['sign'])).rejects.toMatchObject({ name: 'DataError', message: "requested usage 'sign' is not present in key_ops" });
    const key = await subtle.importKey('jwk', { kty: 'oct', k, key_ops: ['sign', 'verify'] }, hmac, true, ['sign']);
    expect(await subtle.exportKey('jwk', key)).toMatchObject({ kty: 'oct', k, alg: 'HS256', ext: true, key_ops: ['sign'] });
  });

  it('refuses operations k6 does not register, and keys it did not make', async () => {
    const aes = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
    await expect(subtle.sign('AES-GCM', aes, text('x'))).rejects.toMatchObject({ name: 'NotSupportedError', message: expect.stringMatching(/"AES-GCM" is not supported for sign/) });
    await expect(subtle.generateKey({ name: 'PBKDF2' }, false, ['deriveBits'])).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(subtle.sign('HMAC', { type: 'secret' }, text('x'))).rejects.toThrow(/not a CryptoKey from crypto.subtle/);
  });

  it('gives random values and version 4 UUIDs', () => {
    const a = crypto.getRandomValues(new Uint8Array(8));
    expect(a).toHaveLength(8);
    expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
