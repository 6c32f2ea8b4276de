import { describe, expect, it } from 'vitest';
import { ScriptError } from './errors.js';
import { transformModule, type BlockingMembersOf } from './transform.js';

const blockingOf: BlockingMembersOf = (specifier) => ({
  members: new Set(specifier === 'k6/http' ? ['get', 'post', 'batch'] : specifier === 'k6' ? ['sleep', 'group'] : []),
  asyncExports: new Set(specifier === './lib.js' ? ['buy'] : []),
});
const transform = (source: string) => transformModule(source, 'script.js', blockingOf);

describe('load-time rewrite of synchronous k6 scripts', () => {
  it('awaits blocking calls and makes exactly the functions that reach them async', () => {
    const { code } = transform(`import http from 'k6/http';
import { check, sleep } from 'k6';
function fetch(url) { return http.get(url); }
function pure(x) { return x * 2; }
export default function () {
  const res = fetch('/a');
  check(res, { ok: (r) => r.status === 200 });
  [3, 1].sort((a, b) => a - b);
  sleep(pure(1));
}
`);
    expect(code).toContain('async function fetch(url) { return (await http.get(url)); }');
    expect(code).toContain('function pure(x) { return x * 2; }');
    expect(code).not.toContain('async function pure');
    expect(code).toContain('__exports.default = async function () {');
    expect(code).toContain('const res = (await fetch(\'/a\'));');
    expect(code).toContain("check(res, { ok: (r) => r.status === 200 });");
    expect(code).toContain('(await sleep(pure(1)));');
  });

  it('keeps a blocking call that opens a statement apart from a previous line without a semicolon', () => {
    const { code } = transform(`import http from 'k6/http';
import { sleep } from 'k6';
export default function () {
  console.log(__VU)
  sleep(1)
  const x = 1
  http.get('/a').json()
  if (x) sleep(2)
  else http.get('/b')
}
`);
    const lines = code.split('\n');
    expect(lines[4]).toContain(';(await sleep(1))');
    expect(lines[6]).toContain(";(await http.get('/a')).json()");
    // a lone body of if/else follows ")" or "else": no ";", which would empty the if
    expect(lines[7]).toContain('if (x) (await sleep(2))');
    expect(lines[8]).toContain("else (await http.get('/b'))");
    expect(() => new Function(`return async function () {\n${lines.slice(3, 9).join('\n')}\n}`)).not.toThrow();
  });

  it('keeps every line on its line', () => {
    const source = `import http from 'k6/http';\n\n\nexport default function () {\n  http.get('/a');\n  throw new Error('x');\n}\n`;
    const { code } = transform(source);
    const lines = code.split('\n');
    expect(lines[5]).toContain("throw new Error('x');");
    expect(lines[4]).toContain("(await http.get('/a'));");
  });

  it('follows calls through methods, named imports and imported async functions', () => {
    const { code, asyncExports } = transform(`import { get } from 'k6/http';
import { buy } from './lib.js';
const api = { browse() { return get('/p'); } };
export function journey() { api.browse(); buy('p1'); }
`);
    expect(code).toContain("async browse() { return (await get('/p')); }");
    expect(code).toContain("(await api.browse()); (await buy('p1'));");
    expect([...asyncExports]).toEqual(['journey']);
  });

  it('refuses a blocking call inside an array callback, with file:line and the fix', () => {
    expect(() => transform(`import http from 'k6/http';\nexport default function () {\n  ['/a', '/b'].forEach((u) => http.get(u));\n}\n`)).toThrow(
      new ScriptError(`script.js:3: a blocking k6 call (http request, sleep, group) inside a .forEach() callback cannot run here; rewrite it as a for...of loop, or send the requests together with http.batch()`),
    );
  });

  it('leaves async-style scripts working', () => {
    const { code } = transform(`import http from 'k6/http';\nexport default async function () {\n  const r = await http.asyncRequest('GET', '/a');\n}\n`);
    expect(code).toContain("const r = await http.asyncRequest('GET', '/a');");
  });

  it('runs the module body in strict mode behind its own scope of k6 globals', () => {
    const { code } = transform(`export default function () {}\n`);
    const firstLine = code.split('\n')[0]!;
    expect(firstLine).toMatch(/^\(function \(__import, __exports, __k6\) \{ 'use strict'; const __VU = .*setTimeout = __k6\.globals\.setTimeout.*return \(async function \(\) \{ 'use strict'; /);
  });

  it('marks where a value without a stack is thrown, and leaves `throw new X()` alone', () => {
    const { code } = transform(`import http from 'k6/http';\nexport default function () {\n  if (!http.get('/a')) throw 'no answer';\n  throw new Error('x');\n}\n`);
    expect(code).toContain("if (!(await http.get('/a'))) throw __k6t('no answer', 3, 30);");
    expect(code).toContain("throw new Error('x');");
  });

  it("awaits a module's blocking methods on any object (a Response's submitForm and clickLink)", () => {
    const withMethods: BlockingMembersOf = (specifier) => ({ ...blockingOf(specifier), methods: new Set(specifier === 'k6/http' ? ['submitForm', 'clickLink'] : []) });
    const { code } = transformModule(
      `import http from 'k6/http';
export default function () {
  const page = http.get('/form');
  const done = page.submitForm({ fields: { q: '1' } }).clickLink();
}
`,
      'script.js',
      withMethods,
    );
    expect(code).toContain("const done = (await (await page.submitForm({ fields: { q: '1' } })).clickLink());");
  });

  it("gives the module k6's globals open and crypto in an outer scope, so a binding of its own wins", () => {
    const outer = (code: string) => code.slice(0, code.indexOf("return (async function () { 'use strict'; "));
    const inner = (code: string) => code.slice(code.indexOf("return (async function () { 'use strict'; "));
    const plain = transform('export default function () { crypto.randomUUID(); }').code;
    expect(outer(plain)).toContain('open = __k6.open');
    expect(outer(plain)).toContain('crypto = __k6.globals.crypto');
    // the module's own `open` / `crypto` is declared in the module body, shadowing the global
    expect(inner(transform("import { open } from 'k6/experimental/fs';\nexport default function () {}").code)).toMatch(/const open = __m0\["open"\]/);
    expect(inner(transform("import crypto from 'k6/crypto';\nexport default function () { crypto.sha256('x', 'hex'); }").code)).toMatch(/const crypto = /);
    expect(inner(transform('const { crypto } = globalThis;\nexport default function () {}').code)).toContain('const { crypto } = globalThis;');
  });

  it('takes a module without import or export as CommonJS (a UMD bundle): module.exports is its default and named exports', () => {
    const { code } = transform("(function (root, f) { if (typeof module === 'object') module.exports = f(); else root.Papa = f(); })(this, () => ({ parse: (s) => s.split(',') }));\n");
    expect(code).toContain('const module = { exports: {} }; let exports = module.exports;');
    expect(code).toContain('__exports.default = module.exports;');
    expect(transform('export default function () {}').code).not.toContain('module.exports');
  });
});
