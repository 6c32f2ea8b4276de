import { createPrivateKey } from 'node:crypto';
import grpc from '@grpc/grpc-js';
import { durationMs, notADuration } from '../../util/duration.js';
import { isLoopbackHost } from '../../util/loopback.js';

/**
 * The parameter objects of `k6/net/grpc`, read as k6 reads them: an unknown key is an error, a
 * timeout is a k6 duration or milliseconds, metadata values are strings (binary for `-bin` keys).
 */

export interface CallParams {
  metadata: grpc.Metadata;
  tags: Record<string, string> | undefined;
  timeoutMs: number;
  discardResponseMessage: boolean;
}

export interface ConnectParams {
  plaintext: boolean;
  reflect: boolean;
  reflectMetadata: grpc.Metadata;
  timeoutMs: number;
  maxReceiveSize: number;
  maxSendSize: number;
  authority: string | undefined;
  tls: { cert?: string; key?: string; password?: string; cacerts?: string[] } | undefined;
}

function asObject(input: unknown, what: string): Record<string, unknown> | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'object' || Array.isArray(input)) throw new Error(`${what}: must be an object`);
  return input as Record<string, unknown>;
}

function timeoutOf(value: unknown, what: string): number {
  const ms = typeof value === 'number' || typeof value === 'string' ? durationMs(value) : undefined;
  if (ms === undefined) throw new Error(`${what}: invalid timeout value: ${notADuration(value)}`);
  return ms;
}

/** gRPC metadata from a script object; `-bin` keys carry bytes, every other key a string. */
export function metadataOf(input: unknown, what: string): grpc.Metadata {
  const md = new grpc.Metadata();
  const object = asObject(input, what);
  if (!object) return md;
  for (const [key, value] of Object.entries(object)) {
    try {
      if (key.endsWith('-bin')) {
        if (value instanceof ArrayBuffer) md.add(key, Buffer.from(value));
        else if (ArrayBuffer.isView(value)) md.add(key, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        else throw new Error(`"${key}" value must be binary (an ArrayBuffer or Uint8Array)`);
      } else if (typeof value === 'string') md.add(key, value);
      else throw new Error(`"${key}" value must be a string`);
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
    }
  }
  return md;
}

/** `params` of invoke, asyncInvoke and Stream. */
export function callParamsOf(input: unknown, what: string, defaultTimeoutMs: number): CallParams {
  const params: CallParams = { metadata: new grpc.Metadata(), tags: undefined, timeoutMs: defaultTimeoutMs, discardResponseMessage: false };
  const object = asObject(input, what);
  if (!object) return params;
  for (const [key, value] of Object.entries(object)) {
    if (key === 'metadata') params.metadata = metadataOf(value, `${what}: invalid metadata param`);
    else if (key === 'tags') params.tags = tagsOf(value, what);
    else if (key === 'timeout') params.timeoutMs = value === 0 ? defaultTimeoutMs : timeoutOf(value, what);
    else if (key === 'discardResponseMessage') params.discardResponseMessage = Boolean(value);
    else throw new Error(`${what}: unknown param: "${key}"`);
  }
  return params;
}

function tagsOf(value: unknown, what: string): Record<string, string> | undefined {
  const object = asObject(value, `${what}: metric tags`);
  if (!object) return undefined;
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, String(v)]));
}

/** `params` of client.connect(). */
export function connectParamsOf(input: unknown): ConnectParams {
  const what = 'invalid grpc.connect() parameters';
  const params: ConnectParams = { plaintext: false, reflect: false, reflectMetadata: new grpc.Metadata(), timeoutMs: 60_000, maxReceiveSize: 0, maxSendSize: 0, authority: undefined, tls: undefined };
  const object = asObject(input, what);
  if (!object) return params;
  const bool = (key: string, value: unknown): boolean => {
    if (typeof value !== 'boolean') throw new Error(`${what}: invalid ${key} value: '${String(value)}', it needs to be boolean`);
    return value;
  };
  const size = (key: string, value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${what}: invalid ${key} value: '${String(value)}', it needs to be a positive integer`);
    return value;
  };
  for (const [key, value] of Object.entries(object)) {
    if (key === 'plaintext') params.plaintext = bool(key, value);
    else if (key === 'reflect') params.reflect = bool(key, value);
    else if (key === 'reflectMetadata') params.reflectMetadata = metadataOf(value, `${what}: invalid reflectMetadata param`);
    else if (key === 'timeout') params.timeoutMs = timeoutOf(value, what);
    else if (key === 'maxReceiveSize') params.maxReceiveSize = size(key, value);
    else if (key === 'maxSendSize') params.maxSendSize = size(key, value);
    else if (key === 'authority') {
      if (typeof value !== 'string') throw new Error(`${what}: invalid authority value: '${String(value)}', it needs to be a string`);
      params.authority = value;
    } else if (key === 'tls') params.tls = tlsOf(value, what);
    else if (key === 'connectionSharing') bool(key, value); // every VU has its own connection here; the hint is accepted
    else throw new Error(`${what}: unknown connect param: "${key}"`);
  }
  return params;
}

function tlsOf(value: unknown, what: string): ConnectParams['tls'] {
  const expected = `${what}: invalid tls value, expected (optional) keys: cert, key, password, and cacerts as PEM strings`;
  const object = asObject(value, expected);
  if (!object) return undefined;
  const text = (key: string): string | undefined => {
    const v = object[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`${what}: invalid tls ${key} value, it needs to be a PEM formatted string`);
    return v;
  };
  const ca = object.cacerts;
  if (ca !== undefined && typeof ca !== 'string' && !(Array.isArray(ca) && ca.every((c) => typeof c === 'string'))) {
    throw new Error(`${what}: invalid tls cacerts value, it needs to be a string or an array of PEM formatted strings`);
  }
  return { cert: text('cert'), key: text('key'), password: text('password'), cacerts: ca === undefined ? undefined : ([] as string[]).concat(ca as string | string[]) };
}

/** TLS credentials from connect's `tls` params and the test's insecureSkipTLSVerify. */
export function channelCredentials(params: ConnectParams, insecureSkipTLSVerify: boolean): grpc.ChannelCredentials {
  if (params.plaintext) return grpc.credentials.createInsecure();
  const tls = params.tls;
  const ca = tls?.cacerts?.length ? Buffer.from(tls.cacerts.join('\n')) : null;
  let key = tls?.key ? Buffer.from(tls.key) : null;
  if (key && tls?.password) key = Buffer.from(createPrivateKey({ key, passphrase: tls.password }).export({ type: 'pkcs8', format: 'pem' }));
  const cert = tls?.cert ? Buffer.from(tls.cert) : null;
  return grpc.credentials.createSsl(ca, key, cert, insecureSkipTLSVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
}

/** Refuses a gRPC address outside loopback unless --allow-remote; returns the host. */
export function checkAddress(address: unknown, allowRemote: boolean): string {
  if (typeof address !== 'string' || address === '') throw new Error('client.connect: the address must be a string like "127.0.0.1:50051"');
  const m = /^(?:\[([^\]]+)\]|([^:/]+)):(\w+)$/.exec(address);
  if (!m) throw new Error(`client.connect: "${address}" is not host:port (write it like "127.0.0.1:50051" or "[::1]:50051", without a scheme)`);
  const host = m[1] ?? m[2]!;
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new Error(`refused gRPC connection to ${host}: peakready only sends load to 127.0.0.0/8 or ::1 unless you pass --allow-remote (only against systems you own)`);
  }
  return host;
}
