import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP Digest authentication, client side (RFC 7616): the answer to a server's
 * `WWW-Authenticate: Digest ...` challenge. MD5, SHA-256 and SHA-512-256 with their `-sess`
 * variants; qop "auth" (preferred) or none (RFC 2069's form); `userhash` is not offered.
 */

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: string;
  qop?: string[];
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The Digest challenge of a WWW-Authenticate header (one value or several), or undefined. */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    const m = /(?:^|,\s*)Digest\s+(.*)$/i.exec(value);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[1]!.matchAll(/([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
      params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    }
    if (params.realm === undefined || !params.nonce) continue;
    return {
      realm: params.realm,
      nonce: params.nonce,
      opaque: params.opaque,
      algorithm: params.algorithm ?? 'MD5',
      qop: params.qop?.split(',').map((q) => q.trim()).filter(Boolean),
    };
  }
  return undefined;
}

export interface DigestCredentials {
  username: string;
  password: string;
  method: string;
  /** the request target as sent: path and query */
  uri: string;
}

/** The Authorization header answering the challenge; `nc` counts the requests made with this nonce. */
export function digestAuthorization(challenge: DigestChallenge, creds: DigestCredentials, nc = 1, cnonce = randomBytes(16).toString('hex')): string {
  const upper = challenge.algorithm.toUpperCase();
  const session = upper.endsWith('-SESS');
  const hashName = HASHES[session ? upper.slice(0, -5) : upper];
  if (!hashName) throw new Error(`digest auth: the server asks for algorithm ${challenge.algorithm}, which is not supported (MD5, SHA-256, SHA-512-256 and their -sess variants are)`);
  const H = (s: string) => createHash(hashName).update(s, 'utf8').digest('hex');
  let ha1 = H(`${creds.username}:${challenge.realm}:${creds.password}`);
  if (session) ha1 = H(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = H(`${creds.method}:${creds.uri}`);
  const qop = challenge.qop ? (challenge.qop.includes('auth') ? 'auth' : undefined) : undefined;
  if (challenge.qop && !qop) throw new Error(`digest auth: the server offers qop "${challenge.qop.join(',')}"; only "auth" is supported`);
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = qop ? H(`${ha1}:${challenge.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`username=${q(creds.username)}`, `realm=${q(challenge.realm)}`, `nonce=${q(challenge.nonce)}`, `uri=${q(creds.uri)}`, `algorithm=${challenge.algorithm}`, `response=${q(response)}`];
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
