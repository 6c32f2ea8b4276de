import { webcrypto } from 'node:crypto';

/**
 * The global `crypto` of a k6 script: WebCrypto as k6 exposes it. Node's webcrypto does the
 * maths; this layer holds k6's surface: the algorithms k6 registers per operation (others are
 * refused with NotSupportedError, as k6 does), its JWK rules on import (no duplicate `key_ops`,
 * only sign/verify, encrypt/decrypt, wrapKey/unwrapKey or derive together, the usages asked for
 * present in `key_ops`), its JWK export of EC and RSA keys (key material only), and keys that
 * print as k6 prints them: own `type`, `extractable`, `algorithm`, `usages`.
 */

type Operation = 'digest' | 'generateKey' | 'importKey' | 'exportKey' | 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'deriveBits' | 'deriveKey';

const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const AES = ['AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW'];
const RSA = ['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP'];
const KEYS = [...AES, 'HMAC', 'ECDH', 'ECDSA', ...RSA, 'Ed25519', 'X25519'];

/** The algorithms k6 registers for each operation. */
const REGISTERED: Record<Operation, readonly string[]> = {
  digest: HASHES,
  generateKey: KEYS,
  importKey: KEYS,
  exportKey: KEYS,
  encrypt: [...AES, 'RSA-OAEP'],
  decrypt: [...AES, 'RSA-OAEP'],
  sign: ['HMAC', 'ECDSA', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'Ed25519'],
  verify: ['HMAC', 'ECDSA', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'Ed25519'],
  deriveBits: ['ECDH', 'X25519', 'PBKDF2'],
  deriveKey: ['ECDH', 'X25519', 'PBKDF2'],
};

type AlgorithmArg = string | ({ name: string } & Record<string, unknown>);

const handles = new WeakMap<object, webcrypto.CryptoKey>();

/** A key as a k6 script sees it; the Node key stays out of sight (and out of JSON). */
export class K6CryptoKey {
  readonly type: string;
  readonly extractable: boolean;
  readonly algorithm: Record<string, unknown>;
  readonly usages: string[];
  constructor(key: webcrypto.CryptoKey) {
    this.type = key.type;
    this.extractable = key.extractable;
    this.algorithm = plainAlgorithm(key.algorithm as unknown as Record<string, unknown>);
    this.usages = [...key.usages];
    handles.set(this, key);
  }
}

function plainAlgorithm(alg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(alg)) {
    if (v instanceof Uint8Array) out[k] = new Uint8Array(v);
    else if (v && typeof v === 'object') out[k] = { ...(v as object) };
    else out[k] = v;
  }
  return out;
}

function nodeKey(key: unknown, what: string): webcrypto.CryptoKey {
  const handle = key && typeof key === 'object' ? handles.get(key) : undefined;
  if (!handle) throw new TypeError(`crypto.subtle.${what}: the key is not a CryptoKey from crypto.subtle (generateKey or importKey)`);
  return handle;
}

function wrapResult(result: webcrypto.CryptoKey | webcrypto.CryptoKeyPair): K6CryptoKey | { privateKey: K6CryptoKey; publicKey: K6CryptoKey } {
  if ('privateKey' in result) return { privateKey: new K6CryptoKey(result.privateKey), publicKey: new K6CryptoKey(result.publicKey) };
  return new K6CryptoKey(result);
}

/** The canonical name of an algorithm, or NotSupportedError when k6 does not offer it for the operation. */
function checkAlgorithm(algorithm: unknown, op: Operation): string {
  const raw = typeof algorithm === 'string' ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  if (typeof raw !== 'string') throw new TypeError(`crypto.subtle.${op}: the algorithm must be a name or an object with a name`);
  const name = REGISTERED[op].find((n) => n.toUpperCase() === raw.toUpperCase());
  if (!name) throw notSupported(raw, op);
  return name;
}

function notSupported(raw: string, op: Operation): Error {
  return new DOMException(`algorithm "${raw}" is not supported for ${op} (k6 supports ${REGISTERED[op].join(', ')})`, 'NotSupportedError');
}

/** An algorithm object with the keys it carries (ECDH's `public`) unwrapped for Node. */
function nodeAlgorithm(algorithm: AlgorithmArg, op: Operation): AlgorithmArg {
  const name = checkAlgorithm(algorithm, op);
  if (typeof algorithm === 'string') return name;
  const out: Record<string, unknown> = { ...algorithm, name };
  if (out.public) out.public = nodeKey(out.public, op);
  return out as AlgorithmArg;
}

/** k6's rules for a JWK's `key_ops` against the usages asked for (RFC 7517 section 4.3). */
export function checkJwkKeyOps(jwk: { key_ops?: unknown }, usages: readonly string[]): void {
  const ops = jwk.key_ops;
  if (!Array.isArray(ops) || ops.length === 0) return;
  if (new Set(ops).size !== ops.length) throw new DOMException('duplicate key operation values are not allowed in key_ops', 'DataError');
  const groups = [['sign', 'verify'], ['encrypt', 'decrypt'], ['wrapKey', 'unwrapKey'], ['deriveKey', 'deriveBits']];
  const used = groups.filter((g) => ops.some((o) => g.includes(o as string)));
  if (used.length !== 1) {
    throw new DOMException('invalid combination of key operations: only sign/verify, encrypt/decrypt or wrapKey/unwrapKey pairs, or derive operations, may appear together in key_ops', 'DataError');
  }
  for (const usage of usages) if (!ops.includes(usage)) throw new DOMException(`requested usage '${usage}' is not present in key_ops`, 'DataError');
}

/** k6 exports EC, OKP and RSA keys as their key material only (no ext, key_ops or alg). */
function k6Jwk(jwk: webcrypto.JsonWebKey): webcrypto.JsonWebKey {
  if (jwk.kty === 'oct' || jwk.kty === 'OKP') return jwk;
  const { ext: _ext, key_ops: _ops, alg: _alg, ...material } = jwk;
  return material;
}

function createSubtle() {
  const subtle = webcrypto.subtle;
  return {
    digest: async (algorithm: AlgorithmArg, data: webcrypto.BufferSource) => subtle.digest(nodeAlgorithm(algorithm, 'digest'), data),
    generateKey: async (algorithm: AlgorithmArg, extractable: boolean, usages: webcrypto.KeyUsage[]) =>
      wrapResult(await subtle.generateKey(nodeAlgorithm(algorithm, 'generateKey') as never, extractable, usages)),
    importKey: async (format: string, keyData: unknown, algorithm: AlgorithmArg, extractable: boolean, usages: webcrypto.KeyUsage[]) => {
      const alg = nodeAlgorithm(algorithm, 'importKey');
      if (!['raw', 'pkcs8', 'spki', 'jwk'].includes(format)) throw new TypeError(`crypto.subtle.importKey: unknown format "${format}"; use raw, pkcs8, spki or jwk`);
      if (format === 'jwk') checkJwkKeyOps(keyData as webcrypto.JsonWebKey, usages);
      return new K6CryptoKey(await subtle.importKey(format as never, keyData as never, alg as never, extractable, usages));
    },
    exportKey: async (format: string, key: unknown) => {
      const handle = nodeKey(key, 'exportKey');
      checkAlgorithm(handle.algorithm.name, 'exportKey');
      const out = await subtle.exportKey(format as never, handle);
      return format === 'jwk' ? k6Jwk(out as webcrypto.JsonWebKey) : out;
    },
    encrypt: async (algorithm: AlgorithmArg, key: unknown, data: webcrypto.BufferSource) => subtle.encrypt(nodeAlgorithm(algorithm, 'encrypt') as never, nodeKey(key, 'encrypt'), data),
    decrypt: async (algorithm: AlgorithmArg, key: unknown, data: webcrypto.BufferSource) => subtle.decrypt(nodeAlgorithm(algorithm, 'decrypt') as never, nodeKey(key, 'decrypt'), data),
    sign: async (algorithm: AlgorithmArg, key: unknown, data: webcrypto.BufferSource) => subtle.sign(nodeAlgorithm(algorithm, 'sign') as never, nodeKey(key, 'sign'), data),
    verify: async (algorithm: AlgorithmArg, key: unknown, signature: webcrypto.BufferSource, data: webcrypto.BufferSource) =>
      subtle.verify(nodeAlgorithm(algorithm, 'verify') as never, nodeKey(key, 'verify'), signature, data),
    deriveBits: async (algorithm: AlgorithmArg, key: unknown, length: number) => subtle.deriveBits(nodeAlgorithm(algorithm, 'deriveBits') as never, nodeKey(key, 'deriveBits'), length),
    deriveKey: async (algorithm: AlgorithmArg, key: unknown, derived: AlgorithmArg, extractable: boolean, usages: webcrypto.KeyUsage[]) =>
      new K6CryptoKey(await subtle.deriveKey(nodeAlgorithm(algorithm, 'deriveKey') as never, nodeKey(key, 'deriveKey'), derived as never, extractable, usages)),
  };
}

/** One per thread: it holds no per-VU state. */
let shared: ReturnType<typeof makeCrypto> | undefined;

function makeCrypto() {
  return {
    subtle: createSubtle(),
    getRandomValues: <T extends ArrayBufferView>(array: T): T => webcrypto.getRandomValues(array as never) as T,
    randomUUID: (): string => webcrypto.randomUUID(),
  };
}

type K6WebCrypto = ReturnType<typeof makeCrypto>;

/**
 * The script's global `crypto` for one VU. With the VU's event loop, every `crypto.subtle` promise
 * is tracked by it, so `crypto.subtle.digest(...).then(...)` in a synchronous function still runs
 * its callback inside the iteration, as in k6.
 */
export function k6WebCrypto(loop?: { track<T>(promise: Promise<T>): Promise<T> }): K6WebCrypto {
  const crypto = (shared ??= makeCrypto());
  if (!loop) return crypto;
  const subtle = Object.fromEntries(
    Object.entries(crypto.subtle).map(([name, operation]) => [name, (...args: unknown[]) => loop.track((operation as (...a: unknown[]) => Promise<unknown>)(...args))]),
  ) as K6WebCrypto['subtle'];
  return { ...crypto, subtle };
}
