import { NO_SECRETS } from '../secret-sources.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MagicString from 'magic-string';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { VuContext, type InstanceContext } from '../vu-context.js';
import { scriptConsole } from './console.js';
import { ScriptError } from './errors.js';
import { ScriptProgram } from './loader.js';

const dir = tempDir('peakready-loader-');
const logged: string[] = [];

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

function vu(): VuContext {
  const instance: InstanceContext = {
    sink: { define: () => {}, add: () => {} },
    globalTags: {},
    scriptDir: dir,
    env: {},
    allowRemote: false,
    httpDefaults: { noConnectionReuse: false, discardResponseBodies: false, maxRedirects: 10, userAgent: 'test', insecureSkipTLSVerify: false, httpDebug: '' },
    recordRequest: null,
    captures: [],
    abortTest: () => {},
    markFailed: () => {},
    sharedArrays: new Map(),
    instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: 0 },
    testStartedAt: 0,
    options: {},
    secrets: NO_SECRETS,
    console: scriptConsole({ verbose: false, startedAt: 0, tty: false, write: (line) => void logged.push(line) }),
  };
  return new VuContext(1, 1, instance);
}

async function load(file: string) {
  const program = new ScriptProgram(file);
  const exports = await program.instantiate(vu());
  return { program, exports };
}

/** Calls an export and returns what describeError says of what it threw. */
async function thrownBy(file: string, name = 'default'): Promise<string> {
  const { program, exports } = await load(file);
  try {
    await (exports[name] as () => unknown)();
  } catch (error) {
    return program.describeError(error);
  }
  throw new Error('it did not throw');
}

describe('a script runs as an ES module, as in k6', () => {
  it('is strict: an undeclared assignment is a ReferenceError at its line', async () => {
    const file = script('strict.js', `export default function () {\n  let ok = 1;\n  leaked = ok;\n}\n`);
    expect(await thrownBy(file)).toBe(`${file}:3:10: ReferenceError: leaked is not defined`);
  });

  it('may declare names the engine provides (open, console, setTimeout) for itself', async () => {
    const file = script('shadow.js', `const open = (x) => 'mine ' + x;\nfunction setTimeout() { return 'own timer'; }\nconst console = { log: () => 'own console' };\nexport default function () { return [open('f'), setTimeout(), console.log()]; }\n`);
    const { exports } = await load(file);
    expect((exports.default as () => unknown)()).toEqual(['mine f', 'own timer', 'own console']);
  });

  it('gets console, k6/timers and crypto as globals', async () => {
    const file = script('globals.js', `export default async function () {\n  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('x'));\n  await new Promise((r) => setTimeout(r, 1));\n  console.log('digest', digest.byteLength);\n}\n`);
    const { exports } = await load(file);
    await (exports.default as () => Promise<void>)();
    expect(logged.at(-1)).toContain('msg="digest 32"');
  });
});

describe('errors point at the file and line the user wrote', () => {
  it('a thrown string or object keeps where it was thrown', async () => {
    const file = script('values.js', `export function str() {\n  throw 'boom';\n}\nexport default function () {\n    throw { code: 7, reason: 'no stock' };\n}\n`);
    expect(await thrownBy(file, 'str')).toBe(`${file}:2:9: boom`);
    expect(await thrownBy(file)).toBe(`${file}:5:11: {"code":7,"reason":"no stock"}`);
  });

  it('a frame in a bundled script goes on through its inline source map to the original source', async () => {
    const original = `export function checkout(cart: string[]) {\n  if (cart.length === 0) {\n    throw new Error('empty cart');\n  }\n}\n`;
    // a "bundle": a banner of three lines, then the code without types; the map leads back to src/checkout.ts
    const code = new MagicString(original);
    code.overwrite(original.indexOf(': string[]'), original.indexOf(': string[]') + ': string[]'.length, '');
    code.prepend('// bundled\n// by a tool\nconst unused = 1;\n');
    code.append('export default function () { checkout([]); }\n');
    const map = code.generateMap({ source: 'src/checkout.ts', includeContent: false, hires: true });
    const file = script('bundle.js', `${code.toString()}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
    const text = await thrownBy(file);
    expect(text.split('\n')[0]).toBe(`${join(dir, 'src/checkout.ts')}:3:11: Error: empty cart`);
    expect(text).toContain(`\tat default (${file}:9:`); // the bundle's own code, which the map does not cover
  });

  it('an exception in the init context is one line with file:line', async () => {
    const file = script('init.js', `const data = JSON.parse('{');\nexport default function () {}\n`);
    const error = await new ScriptProgram(file).instantiate(vu()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as Error).message).toMatch(new RegExp(`^init context: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:19: SyntaxError: [^\\n]+$`));
  });

  it('the init context waits for its own timers before the VU is ready', async () => {
    const file = script('init-timer.js', `export let ready = false;\nsetTimeout(() => { ready = true; }, 5);\nexport default function () {}\n`);
    const { exports } = await load(file);
    expect(exports.ready).toBe(true);
  });
});
