import { describe, expect, it } from 'vitest';
import { transformModule, type BlockingMembersOf } from './transform.js';

// a module whose objects have blocking methods (k6/net/grpc's Client: connect, invoke)
const blockingOf: BlockingMembersOf = (specifier) => ({
  members: new Set(),
  asyncExports: new Set(),
  methods: new Set(specifier === 'k6/net/grpc' ? ['connect', 'invoke'] : []),
});

describe('blocking methods of the objects a k6 module hands out', () => {
  it('awaits them on any receiver, in a file that imports the module, and makes their callers async', () => {
    const { code } = transformModule(
      `import grpc from 'k6/net/grpc';
const client = new grpc.Client();
function stock(c) { return c.invoke('/shop.Inventory/GetStock', {}); }
export default function () {
  if (__ITER == 0) client.connect('127.0.0.1:50051');
  const res = stock(client);
  client.close();
}
`,
      'script.js',
      blockingOf,
    );
    expect(code).toContain("async function stock(c) { return (await c.invoke('/shop.Inventory/GetStock', {})); }");
    expect(code).toContain("if (__ITER == 0) (await client.connect('127.0.0.1:50051'));");
    expect(code).toContain('const res = (await stock(client));');
    expect(code).toContain('client.close();');
    expect(code).not.toContain('(await client.close');
  });

  it('leaves a file that does not import the module as written', () => {
    const { code, asyncExports } = transformModule(`export function stock(c) { return c.invoke('/shop.Inventory/GetStock', {}); }\n`, 'lib.js', blockingOf);
    expect(code).toContain("function stock(c) { return c.invoke('/shop.Inventory/GetStock', {}); }");
    expect(code).not.toContain('await');
    expect(asyncExports.size).toBe(0);
  });
});
