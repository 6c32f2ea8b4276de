import { createHash, createHmac, randomBytes } from 'node:crypto';
import { encodeBase64, toArrayBuffer, toBytes } from './bytes.js';
import type { K6Module } from './k6-module.js';
import { md4 } from './md4.js';

/**
 * `k6/crypto`: the hash functions k6 names (md4, md5, sha1, sha256, sha384, sha512, sha512_224,
 * sha512_256, ripemd160), hmac, createHash/createHMAC (a Hasher whose digest can be read again
 * after more updates, as Go's Sum) and randomBytes. Digests come as "hex", "base64",
 * "base64url" (padded), "base64rawurl" or "binary" (an ArrayBuffer), as k6 documents them.
 */

const NODE_NAMES: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

/** What both a plain hash and an HMAC give the Hasher: more data, and the digest so far. */
interface Digester {
  update(data: Buffer): void;
  digest(): Buffer;
}

function nodeAlgorithm(algorithm: unknown, what: string): string {
  const name = typeof algorithm === 'string' ? NODE_NAMES[algorithm.toLowerCase()] : undefined;
  if (!name) throw new TypeError(`${what}: invalid algorithm "${String(algorithm)}"; use one of ${Object.keys(NODE_NAMES).join(', ')}`);
  return name;
}

/** md4 is gone from OpenSSL 3's default provider; ours follows RFC 1320. */
function digester(algorithm: string, secret?: Buffer): Digester {
  if (algorithm === 'md4') {
    if (secret) return hmacOver(md4Digester, 64, secret);
    return md4Digester();
  }
  if (secret) {
    // an Hmac cannot be copied: keep the data to read the digest again after more updates
    const parts: Buffer[] = [];
    return {
      update: (d) => void parts.push(d),
      digest: () => createHmac(algorithm, secret).update(Buffer.concat(parts)).digest(),
    };
  }
  const hash = createHash(algorithm);
  return { update: (d) => void hash.update(d), digest: () => hash.copy().digest() };
}

function md4Digester(): Digester {
  const parts: Buffer[] = [];
  return { update: (d) => void parts.push(d), digest: () => md4(Buffer.concat(parts)) };
}

/** HMAC (RFC 2104) over a hash we compute ourselves. */
function hmacOver(inner: () => Digester, blockSize: number, secret: Buffer): Digester {
  let key = secret.length > blockSize ? inner().digest() : secret;
  key = Buffer.concat([key, Buffer.alloc(blockSize - key.length)]);
  const parts: Buffer[] = [];
  return {
    update: (d) => void parts.push(d),
    digest: () => {
      const a = inner();
      a.update(Buffer.from(key.map((b) => b ^ 0x36)));
      a.update(Buffer.concat(parts));
      const b = inner();
      b.update(Buffer.from(key.map((x) => x ^ 0x5c)));
      b.update(a.digest());
      return b.digest();
    },
  };
}

export function encodeDigest(sum: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding ?? 'binary') {
    case 'hex':
      return sum.toString('hex');
    case 'base64':
      return encodeBase64(sum, 'std');
    case 'base64url':
      return encodeBase64(sum, 'url');
    case 'base64rawurl':
      return encodeBase64(sum, 'rawurl');
    case 'binary':
      return toArrayBuffer(sum);
    default:
      throw new TypeError(`digest: invalid output encoding "${String(encoding)}"; use "hex", "base64", "base64url", "base64rawurl" or "binary"`);
  }
}

class Hasher {
  constructor(private readonly state: Digester) {}
  update(data: unknown): void {
    this.state.update(toBytes(data, 'Hasher.update'));
  }
  digest(encoding?: string): string | ArrayBuffer {
    return encodeDigest(this.state.digest(), encoding);
  }
}

function oneShot(name: keyof typeof NODE_NAMES) {
  return (input: unknown, encoding?: string) => {
    const d = digester(NODE_NAMES[name]!);
    d.update(toBytes(input, name));
    return encodeDigest(d.digest(), encoding);
  };
}

function createApi() {
  return {
    createHash: (algorithm: string) => new Hasher(digester(nodeAlgorithm(algorithm, 'createHash'))),
    createHMAC: (algorithm: string, secret: unknown) => new Hasher(digester(nodeAlgorithm(algorithm, 'createHMAC'), toBytes(secret, 'createHMAC'))),
    hmac: (algorithm: string, secret: unknown, data: unknown, encoding?: string) => {
      const d = digester(nodeAlgorithm(algorithm, 'hmac'), toBytes(secret, 'hmac'));
      d.update(toBytes(data, 'hmac'));
      return encodeDigest(d.digest(), encoding);
    },
    randomBytes: (size: number) => {
      if (!Number.isInteger(size) || size < 1) throw new TypeError(`randomBytes: the size must be a positive integer, got ${String(size)}`);
      return toArrayBuffer(randomBytes(size));
    },
    md4: oneShot('md4'),
    md5: oneShot('md5'),
    sha1: oneShot('sha1'),
    sha256: oneShot('sha256'),
    sha384: oneShot('sha384'),
    sha512: oneShot('sha512'),
    sha512_224: oneShot('sha512_224'),
    sha512_256: oneShot('sha512_256'),
    ripemd160: oneShot('ripemd160'),
  };
}

export const k6CryptoModule: K6Module = {
  specifier: 'k6/crypto',
  blocking: [],
  create() {
    const api = createApi();
    return { ...api, default: api };
  },
};
