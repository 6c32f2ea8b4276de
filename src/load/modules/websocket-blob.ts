/**
 * k6/websockets' Blob: immutable bytes with a MIME type, what a binary message is when
 * `binaryType` is "blob" (the default) and one of the things `send()` takes. Unlike Node's Blob,
 * its bytes are at hand synchronously, so sending one keeps the order of sends.
 */
export class WsBlob {
  readonly #bytes: Uint8Array;
  readonly type: string;

  constructor(parts?: unknown, options?: { type?: unknown }) {
    const chunks: Uint8Array[] = [];
    if (parts !== undefined && parts !== null) {
      if (!Array.isArray(parts)) throw new TypeError('Blob: the first argument must be an array of parts (strings, ArrayBuffers, typed arrays or Blobs)');
      for (const part of parts) chunks.push(bytesOf(part) ?? Buffer.from(String(part)));
    }
    this.#bytes = Buffer.concat(chunks);
    this.type = typeof options?.type === 'string' ? options.type.toLowerCase() : '';
  }

  get size(): number {
    return this.#bytes.byteLength;
  }

  bytes(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#bytes));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(copy(this.#bytes));
  }

  text(): Promise<string> {
    return Promise.resolve(Buffer.from(this.#bytes).toString('utf8'));
  }

  slice(start?: number, end?: number, type?: string): WsBlob {
    return new WsBlob([this.#bytes.slice(start, end)], { type: type ?? '' });
  }

  /** @internal the bytes without copying */
  static raw(blob: WsBlob): Uint8Array {
    return blob.#bytes;
  }
}

function copy(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** The bytes of a binary value a script passes (string aside), or undefined for anything else. */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof WsBlob) return WsBlob.raw(value);
  return undefined;
}
