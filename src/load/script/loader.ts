import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Script } from 'node:vm';
import { findK6Module, isExternalSpecifier } from '../modules/registry.js';
import type { VuContext } from '../vu-context.js';
import type { VuEventLoop } from '../event-loop.js';
import { formatValue } from './console.js';
import { ScriptError } from './errors.js';
import { transformModule } from './transform.js';

/**
 * Loads a k6 script and the local modules it imports: each file is transformed once
 * (transform.ts) and compiled once per thread into an async factory; `instantiate` runs the
 * factories for one VU (k6's init context, once per VU), giving each VU its own module instances.
 */

type Factory = (imp: (specifier: string) => unknown, exports: Record<string, unknown>, k6: K6Globals) => Promise<void>;
interface K6Globals {
  vu: number;
  env: Record<string, string>;
  open: (path: string, mode?: string) => string | ArrayBuffer;
  setIter: (i: number) => void;
  /** `throw value` marks where a value without a stack was thrown (transform.ts) */
  thrown: (value: unknown, line: number, column: number) => unknown;
  /** console, crypto and the timers, per VU */
  globals: VuGlobals;
}
type VuGlobals = Record<'console' | 'crypto' | 'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval', unknown>;
interface Position {
  file: string;
  line: number;
  column: number;
}
interface CompiledModule {
  file: string;
  factory: Factory;
  /** specifier → absolute file (local) or the specifier (k6 module) */
  resolved: Map<string, string>;
}

export class ScriptProgram {
  readonly entry: string;
  private readonly modules = new Map<string, CompiledModule>();
  private readonly asyncExports = new Map<string, ReadonlySet<string>>();
  private readonly maps = new Map<string, SourceMap>();
  /** a file's own inline source map (a bundled or compiled script): positions go on to its sources */
  private readonly inlineMaps = new Map<string, SourceMap & { sourceRoot: string }>();
  private readonly fileCache = new Map<string, string | ArrayBuffer>();
  /** where values without a stack were thrown: objects exactly, primitives among the last few */
  private readonly thrownObjects = new WeakMap<object, Position>();
  private readonly thrownPrimitives: Array<{ value: unknown; at: Position }> = [];

  constructor(entryPath: string) {
    this.entry = resolve(entryPath);
    if (!existsSync(this.entry)) throw new ScriptError(`${entryPath}: script not found`);
    this.compile(this.entry, [], undefined);
  }

  private compile(file: string, stack: string[], from: { file: string; line: number } | undefined): ReadonlySet<string> {
    const done = this.asyncExports.get(file);
    if (done) return done;
    if (stack.includes(file)) return new Set(); // an import cycle: the later module sees no async exports
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new ScriptError(`${from ? `${from.file}:${from.line}: ` : ''}cannot read module ${file}`);
    }
    const resolved = new Map<string, string>();
    const transformed = transformModule(source, file, (specifier) => {
      if (isExternalSpecifier(specifier)) {
        const m = findK6Module(specifier);
        return { members: new Set(m?.blocking ?? []), asyncExports: new Set() };
      }
      return { members: new Set(), asyncExports: new Set() };
    });
    // resolve imports first (dependencies' async exports decide this module's rewrite), then redo
    let needsRedo = false;
    for (const imp of transformed.imports) {
      if (isExternalSpecifier(imp.specifier)) {
        if (!findK6Module(imp.specifier)) {
          throw new ScriptError(
            `${file}:${imp.line}: module "${imp.specifier}" is not provided by the built-in engine; run this script with --engine k6 (a k6 binary on PATH)`,
          );
        }
        resolved.set(imp.specifier, imp.specifier);
        continue;
      }
      if (!imp.specifier.startsWith('.') && !isAbsolute(imp.specifier)) {
        throw new ScriptError(`${file}:${imp.line}: module "${imp.specifier}" cannot be resolved (k6 scripts import k6 modules, URLs or relative files); run this script with --engine k6 if k6 resolves it`);
      }
      const target = resolve(dirname(file), imp.specifier);
      resolved.set(imp.specifier, target);
      const deps = this.compile(target, [...stack, file], { file, line: imp.line });
      if (deps.size > 0) needsRedo = true;
    }
    const final = needsRedo
      ? transformModule(source, file, (specifier) => {
          if (isExternalSpecifier(specifier)) return { members: new Set(findK6Module(specifier)?.blocking ?? []), asyncExports: new Set() };
          return { members: new Set(), asyncExports: this.asyncExports.get(resolved.get(specifier)!) ?? new Set() };
        })
      : transformed;
    let factory: Factory;
    try {
      factory = new Script(final.code, { filename: file }).runInThisContext() as Factory;
    } catch (error) {
      throw new ScriptError(`${file}: the transformed script does not compile (${(error as Error).message}); please report this with the script`, { cause: error });
    }
    this.maps.set(file, new SourceMap(final.map as unknown as SourceMapPayload));
    const inline = inlineSourceMap(source);
    if (inline) this.inlineMaps.set(file, inline);
    this.modules.set(file, { file, factory, resolved });
    this.asyncExports.set(file, final.asyncExports);
    return final.asyncExports;
  }

  /** Runs the init context for one VU and returns the entry module's exports. */
  async instantiate(vu: VuContext): Promise<Record<string, unknown>> {
    const instances = new Map<string, Record<string, unknown>>();
    const setters: Array<(i: number) => void> = [];
    const open = (path: string, mode?: string) => this.open(path, mode);
    const { loop } = vu;
    const vuGlobals: VuGlobals = {
      console: vu.instance.console,
      crypto: trackedCrypto(loop),
      setTimeout: loop.setTimeout,
      clearTimeout: loop.clearTimeout,
      setInterval: loop.setInterval,
      clearInterval: loop.clearInterval,
    };
    const run = async (file: string): Promise<Record<string, unknown>> => {
      const existing = instances.get(file);
      if (existing) return existing;
      const mod = this.modules.get(file)!;
      const exports: Record<string, unknown> = {};
      instances.set(file, exports);
      const deps = new Map<string, unknown>();
      for (const [specifier, target] of mod.resolved) {
        if (isExternalSpecifier(specifier)) deps.set(specifier, findK6Module(specifier)!.create(vu));
        else deps.set(specifier, await run(target));
      }
      const thrown = (value: unknown, line: number, column: number) => this.markThrown(value, { file, line, column });
      const globals: K6Globals = { vu: vu.id, env: vu.env, open, setIter: () => {}, thrown, globals: vuGlobals };
      await mod.factory((s) => deps.get(s), exports, globals);
      setters.push(globals.setIter);
      return exports;
    };
    try {
      const exports = await run(this.entry);
      await loop.drain(); // as k6: the init context's own event loop runs out before the VU is ready
      vu.setIter = (i) => {
        for (const set of setters) set(i);
      };
      return exports;
    } catch (error) {
      loop.cancel();
      if (error instanceof ScriptError) throw error;
      // one line, as k6: where and what
      throw new ScriptError(`init context: ${this.describeError(error, { frames: false })}`, { cause: error });
    }
  }

  private open(path: string, mode?: string): string | ArrayBuffer {
    const full = resolve(dirname(this.entry), path);
    const key = `${mode === 'b' ? 'b' : 't'}:${full}`;
    let content = this.fileCache.get(key);
    if (content === undefined) {
      let buf: Buffer;
      try {
        buf = readFileSync(full);
      } catch {
        throw new Error(`open("${path}"): ${full} does not exist or cannot be read`);
      }
      content = mode === 'b' ? (buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer) : buf.toString('utf8');
      this.fileCache.set(key, content);
    }
    return content;
  }

  /**
   * `file:line:col: Name: message` at the original position (through the script's own inline
   * source map when it has one), plus the script's frames below it unless `frames: false`. A
   * thrown value without a stack is placed where the script threw it.
   */
  describeError(error: unknown, options: { frames?: boolean } = {}): string {
    if (!(error instanceof Error)) {
      const at = this.thrownAt(error);
      const text = formatValue(error);
      return at ? `${at.file}:${at.line}:${at.column}: ${text}` : text;
    }
    const frames: string[] = [];
    for (const line of (error.stack ?? '').split('\n').slice(1)) {
      const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(line);
      if (!m || !this.maps.has(m[2]!)) continue;
      const pos = this.original(m[2]!, Number(m[3]), Number(m[4]));
      const name = m[1]?.replace(/^(async )?__exports\./, '$1'); // `export default function () {}` is `default`, as k6 names it
      frames.push(`${name ? `${name} ` : ''}(${pos.file}:${pos.line}:${pos.column})`);
    }
    const head = `${error.name}: ${error.message}`;
    if (frames.length === 0) return head;
    const where = frames[0]!.replace(/^.*\((.*)\)$/, '$1');
    return `${where}: ${head}${options.frames !== false && frames.length > 1 ? `\n\tat ${frames.join('\n\tat ')}` : ''}`;
  }

  private markThrown(value: unknown, at: Position): unknown {
    if (value instanceof Error) return value;
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) this.thrownObjects.set(value, at);
    else {
      this.thrownPrimitives.push({ value, at });
      if (this.thrownPrimitives.length > 32) this.thrownPrimitives.shift();
    }
    return value;
  }

  private thrownAt(value: unknown): Position | undefined {
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) return this.thrownObjects.get(value);
    for (let i = this.thrownPrimitives.length - 1; i >= 0; i--) if (Object.is(this.thrownPrimitives[i]!.value, value)) return this.thrownPrimitives[i]!.at;
    return undefined;
  }

  /** A position in the transformed code, back in the script as written, then in its own sources. */
  private original(file: string, line: number, column: number): Position {
    const entry = this.maps.get(file)?.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number } | undefined;
    const inFile = !entry || entry.originalLine === undefined ? { file, line, column } : { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
    const inline = this.inlineMaps.get(file);
    const source = inline?.findEntry(inFile.line - 1, inFile.column - 1) as { generatedLine?: number; originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    // the nearest mapping may lie on an earlier line: code the map does not cover stays in the file itself
    if (!inline || !source?.originalSource || source.originalLine === undefined || source.generatedLine !== inFile.line - 1) return inFile;
    const sourceFile = /^[a-z][\w+.-]*:/i.test(source.originalSource) ? source.originalSource : resolve(dirname(file), inline.sourceRoot, source.originalSource);
    return { file: sourceFile, line: source.originalLine + 1, column: (source.originalColumn ?? 0) + 1 };
  }
}

/** A `//# sourceMappingURL=data:application/json;base64,...` at the end of a script, parsed; undefined when there is none or it is unreadable. */
function inlineSourceMap(source: string): (SourceMap & { sourceRoot: string }) | undefined {
  const m = /\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/.exec(source);
  if (!m) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as SourceMapPayload & { sourceRoot?: string };
    return Object.assign(new SourceMap(payload), { sourceRoot: payload.sourceRoot ?? '' });
  } catch {
    return undefined; // a broken map only costs the finer position
  }
}

/**
 * The global `crypto` (Web Crypto) for one VU: `crypto.subtle`'s promises keep the VU's event
 * loop open, so `crypto.subtle.digest(...).then(...)` in a synchronous function still runs its
 * callback inside the iteration, as in k6.
 */
function trackedCrypto(loop: VuEventLoop): Pick<typeof webcrypto, 'subtle' | 'getRandomValues' | 'randomUUID'> {
  const crypto = webcrypto;
  const subtle = new Proxy(crypto.subtle, {
    get(target, key) {
      const member = Reflect.get(target, key, target) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => loop.track((member as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
  return {
    subtle,
    getRandomValues: (array) => crypto.getRandomValues(array),
    randomUUID: () => crypto.randomUUID(),
  };
}
