import { describe, expect, it } from 'vitest';
import { Router } from './router.js';

describe('Router', () => {
  const router = new Router<string>().add('GET', '/products', 'list').add('GET', '/products/:id', 'one').add('POST', '/carts/:cartId/items', 'add');

  it('matches templates and decodes parameters', () => {
    expect(router.match('GET', '/products/sku%2D1')).toEqual({ handler: 'one', route: '/products/:id', params: { id: 'sku-1' } });
    expect(router.match('get', '/products/')).toMatchObject({ handler: 'list', route: '/products' });
    expect(router.match('POST', '/carts/c1/items')).toMatchObject({ params: { cartId: 'c1' } });
  });

  it('tells a wrong method (405) from an unknown path (404)', () => {
    expect(router.match('DELETE', '/products/x')).toEqual({ allowed: ['GET'] });
    expect(router.match('GET', '/nothing')).toBeUndefined();
    expect(router.match('GET', '/products/%E0%A4%A')).toBeUndefined();
  });
});
