import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from './digest-auth.js';

// RFC 7616 section 3.9.1: the worked example, MD5 and SHA-256
const challengeHeader = (algorithm: string) =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
const creds = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html' };
const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

describe('HTTP digest authentication (RFC 7616)', () => {
  it('answers the RFC example with MD5 and SHA-256', () => {
    const md5 = digestAuthorization(parseDigestChallenge(challengeHeader('MD5'))!, creds, 1, cnonce);
    expect(md5).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
    expect(md5).toContain('qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"');
    expect(md5).toContain('opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
    const sha = digestAuthorization(parseDigestChallenge(challengeHeader('SHA-256'))!, creds, 1, cnonce);
    expect(sha).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });

  it('finds the Digest challenge among several and refuses what it cannot answer', () => {
    const parsed = parseDigestChallenge(['Basic realm="x"', 'Digest realm="shop", nonce="abc"']);
    expect(parsed).toEqual({ realm: 'shop', nonce: 'abc', opaque: undefined, algorithm: 'MD5', qop: undefined });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    // without qop, RFC 2069's form: no nc or cnonce
    expect(digestAuthorization(parsed!, creds)).not.toContain('nc=');
    expect(() => digestAuthorization({ ...parsed!, algorithm: 'SHA-1' }, creds)).toThrow(/algorithm SHA-1, which is not supported/);
  });
});
