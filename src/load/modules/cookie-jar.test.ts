import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookie-jar.js';

const u = (s: string) => new URL(s);

describe('the cookie jar (RFC 6265, with k6 set() options)', () => {
  it('keeps a host-only cookie to its host and a domain cookie to the domain and its subdomains', () => {
    const jar = new CookieJar();
    jar.set('http://shop.test/', 'host', '1');
    jar.set('http://shop.test/', 'dom', '2', { domain: 'shop.test' });
    expect(jar.header(u('http://shop.test/cart'))).toBe('host=1; dom=2');
    expect(jar.header(u('http://api.shop.test/'))).toBe('dom=2');
    expect(jar.header(u('http://other.test/'))).toBeUndefined();
  });

  it('sends a cookie only under its path, longest path first', () => {
    const jar = new CookieJar();
    jar.set('http://shop.test/', 'root', 'r', { path: '/' });
    jar.set('http://shop.test/', 'cart', 'c', { path: '/cart' });
    expect(jar.header(u('http://shop.test/cart/items'))).toBe('cart=c; root=r');
    expect(jar.header(u('http://shop.test/cartography'))).toBe('root=r');
    expect(jar.cookiesForURL('http://shop.test/cart')).toEqual({ cart: ['c'], root: ['r'] });
  });

  it('honours secure, expires and max_age', () => {
    const jar = new CookieJar();
    jar.set('https://shop.test/', 'sec', 's', { secure: true, http_only: true });
    jar.set('http://shop.test/', 'old', 'o', { expires: 'Mon, 02 Jan 2006 15:04:05 GMT' });
    jar.set('http://shop.test/', 'gone', 'g', { max_age: 0 });
    jar.set('http://shop.test/', 'later', 'l', { max_age: 3600 });
    expect(jar.header(u('http://shop.test/'))).toBe('later=l');
    expect(jar.header(u('https://shop.test/'))).toBe('sec=s; later=l');
    expect(() => jar.set('http://shop.test/', 'x', 'y', { expires: 'next tuesday' })).toThrow(/expires "next tuesday" is not a date/);
  });

  it('takes Set-Cookie attributes from responses and forgets a cookie asked to expire', () => {
    const jar = new CookieJar();
    jar.absorb(u('http://shop.test/account/login'), ['session=abc; Path=/; HttpOnly', 'pref=x', 'evil=1; Domain=other.test']);
    expect(jar.cookiesForURL('http://shop.test/')).toEqual({ session: ['abc'] });
    expect(jar.cookiesForURL('http://shop.test/account/orders')).toEqual({ session: ['abc'], pref: ['x'] });
    jar.absorb(u('http://shop.test/'), 'session=; Path=/; Max-Age=0');
    expect(jar.cookiesForURL('http://shop.test/')).toEqual({});
    jar.set('http://shop.test/', 'a', '1');
    jar.delete('http://shop.test/', 'a');
    jar.set('http://shop.test/', 'b', '2');
    expect(jar.cookiesForURL('http://shop.test/')).toEqual({ b: ['2'] });
    jar.clear('http://shop.test/');
    expect(jar.header(u('http://shop.test/'))).toBeUndefined();
  });
});
