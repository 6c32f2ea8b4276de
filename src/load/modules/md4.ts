/**
 * MD4 (RFC 1320), for k6/crypto's md4: OpenSSL 3 moved it to the legacy provider, which Node
 * does not load. Written from the RFC's description: three rounds of 16 operations over
 * little-endian 32-bit words, the message padded to 448 mod 512 bits plus its 64-bit length.
 */

const F = (x: number, y: number, z: number) => (x & y) | (~x & z);
const G = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number) => x ^ y ^ z;
const rotl = (v: number, s: number) => (v << s) | (v >>> (32 - s));

const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const SHIFTS = [
  [3, 7, 11, 19],
  [3, 5, 9, 13],
  [3, 9, 11, 15],
] as const;

function pad(message: Uint8Array): Buffer {
  const bitLength = BigInt(message.length) * 8n;
  const padded = Buffer.alloc(Math.ceil((message.length + 9) / 64) * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  padded.writeBigUInt64LE(bitLength & 0xffffffffffffffffn, padded.length - 8);
  return padded;
}

export function md4(message: Uint8Array): Buffer {
  const data = pad(message);
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let block = 0; block < data.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = data.readUInt32LE(block + i * 4);
    const [a0, b0, c0, d0] = state as [number, number, number, number];
    let [a, b, c, d] = [a0, b0, c0, d0];
    const rounds: Array<[(x: number, y: number, z: number) => number, number, readonly number[], readonly number[]]> = [
      [F, 0, [...Array(16).keys()], SHIFTS[0]],
      [G, 0x5a827999, ROUND2_ORDER, SHIFTS[1]],
      [H, 0x6ed9eba1, ROUND3_ORDER, SHIFTS[2]],
    ];
    for (const [fn, constant, order, shifts] of rounds) {
      for (let i = 0; i < 16; i++) {
        const t = rotl((a + fn(b, c, d) + x[order[i]!]! + constant) | 0, shifts[i % 4]!);
        [a, b, c, d] = [d, t, b, c];
      }
    }
    state[0] = (a0 + a) | 0;
    state[1] = (b0 + b) | 0;
    state[2] = (c0 + c) | 0;
    state[3] = (d0 + d) | 0;
  }
  const out = Buffer.alloc(16);
  state.forEach((v, i) => out.writeInt32LE(v, i * 4));
  return out;
}
