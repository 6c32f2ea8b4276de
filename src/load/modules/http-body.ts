import { randomBytes } from 'node:crypto';

/**
 * A request body as k6 sends it: strings and bytes as they are; an object as a form, its keys in
 * order (Go's url.Values.Encode sorts them) and an array value as the key repeated
 * (`size=S&size=M`); an object holding an `http.file()` as multipart/form-data.
 */

export interface FileData {
  data: unknown;
  filename?: string;
  content_type: string;
}

export function isFileData(value: unknown): value is FileData {
  return typeof value === 'object' && value !== null && 'data' in value && 'content_type' in value;
}

function formValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

function formPairs(body: Record<string, unknown>): Array<[string, unknown]> {
  const pairs: Array<[string, unknown]> = [];
  for (const key of Object.keys(body).sort()) {
    const v = body[key];
    for (const one of Array.isArray(v) ? v : [v]) pairs.push([key, one]);
  }
  return pairs;
}

function bytesOf(data: unknown): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.from(data as number[]);
  return Buffer.from(formValue(data), 'utf8');
}

function multipart(pairs: Array<[string, unknown]>, headers: Record<string, string>): Uint8Array {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Buffer[] = [];
  for (const [name, value] of pairs) {
    const safe = name.replace(/"/g, '%22');
    if (isFileData(value)) {
      const filename = (value.filename ?? name).replace(/"/g, '%22');
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe}"; filename="${filename}"\r\nContent-Type: ${value.content_type}\r\n\r\n`), bytesOf(value.data), Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe}"\r\n\r\n${formValue(value)}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  headers['content-type'] ??= `multipart/form-data; boundary=${boundary}`;
  return Buffer.concat(chunks);
}

export function encodeBody(body: unknown, headers: Record<string, string>): string | Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'object') {
    const pairs = formPairs(body as Record<string, unknown>);
    if (pairs.some(([, v]) => isFileData(v))) return multipart(pairs, headers);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, formValue(v)])).toString();
  }
  return String(body);
}
