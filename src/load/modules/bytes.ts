/**
 * The byte conversions k6's modules share: a script hands strings (UTF-8), ArrayBuffers or typed
 * arrays; k6 hands back ArrayBuffers. Base64 in the four alphabets of Go's encoding/base64 that k6
 * names: std, rawstd (no padding), url, rawurl (URL-safe, no padding).
 */

export type Base64Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

/** A script's data as bytes: strings as UTF-8, ArrayBuffers and views as they are. */
export function toBytes(input: unknown, what: string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (Array.isArray(input) && input.every((b) => Number.isInteger(b))) return Buffer.from(input as number[]);
  throw new TypeError(`${what}: expected a string, an ArrayBuffer or a typed array, got ${describe(input)}`);
}

/** A copy of the bytes as a fresh ArrayBuffer (what k6 returns for binary results). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export function base64Variant(value: unknown, what: string): Base64Variant {
  if (value === undefined || value === null || value === '') return 'std';
  if (value === 'std' || value === 'rawstd' || value === 'url' || value === 'rawurl') return value;
  throw new TypeError(`${what}: unknown base64 encoding "${String(value)}"; use "std", "rawstd", "url" or "rawurl"`);
}

export function encodeBase64(bytes: Uint8Array, variant: Base64Variant): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (variant === 'rawurl') return buf.toString('base64url');
  const std = buf.toString('base64');
  if (variant === 'std') return std;
  if (variant === 'rawstd') return std.replace(/=+$/, '');
  return std.replace(/\+/g, '-').replace(/\//g, '_');
}

/** Strict as Go's decoder: the alphabet and padding of the variant asked for, or an error. */
export function decodeBase64(text: string, variant: Base64Variant, what: string): Buffer {
  const url = variant === 'url' || variant === 'rawurl';
  const padded = variant === 'std' || variant === 'url';
  const alphabet = url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  const body = text.replace(/=+$/, '');
  const validLength = padded ? text.length % 4 === 0 : !text.includes('=') && body.length % 4 !== 1;
  if (!alphabet.test(text) || !validLength) {
    throw new TypeError(`${what}: "${text.length > 40 ? text.slice(0, 40) + '…' : text}" is not valid ${variant} base64`);
  }
  return Buffer.from(body, url ? 'base64url' : 'base64');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
