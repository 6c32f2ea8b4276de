import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script } from 'node:vm';
import { findK6Module, unavailableModuleMessage } from '../modules/registry.js';
import { k6WebCrypto } from '../modules/webcrypto.js';
import type { VuContext } from '../vu-context.js';
import { formatValue } from './console.js';
import { ScriptError } from './errors.js';
import { isRemoteSpecifier, prefetchRemoteModules, readRemoteModule, resolveImport } from './remote-modules.js';
import { transformModule, type BlockingMembersOf } from './transform.js';
import { isTypeScript, stripTypes } from './typescript.js';

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
  /** specifier → absolute file or URL (a script's own module) or the specifier (k6 module) */
  resolved: Map<string, string>;
}

/** What blocks in a k6 module, for the rewrite (transform.ts). */
export class ScriptProgram {
  readonly entry: string;
  private readonly modules = new Map<string, CompiledModule>();
  private readonly asyncExports = new Map<string, ReadonlySet<string>>();
  private readonly maps = new Map<string, SourceMap>();
  /** a file's own inline source map (a bundled or compiled script): positions go on to its sources */
  private readonly inlineMaps = new Map<string, SourceMap & { sourceRoot: string }>();
  /** TypeScript files: stripped JS → the .ts source */
  private readonly typeMaps = new Map<string, SourceMap>();
  private readonly fileCache = new Map<string, string | ArrayBuffer>();
  /** where values without a stack were thrown: objects exactly, primitives among the last few */
  private readonly thrownObjects = new WeakMap<object, Position>();
  private readonly thrownPrimitives: Array<{ value: unknown; at: Position }> = [];

  /** Compiles a script whose remote modules are already in the cache (a worker thread's case). */
  constructor(entryPath: string) {
    this.entry = resolve(entryPath);
    if (!existsSync(this.entry)) throw new ScriptError(`${entryPath}: script not found`);
    this.compile(this.entry, [], undefined);
  }

  /** Fetches the remote modules the script imports (into the module cache), then compiles it. */
  static async open(entryPath: string): Promise<ScriptProgram> {
    const entry = resolve(entryPath);
    if (!existsSync(entry)) throw new ScriptError(`${entryPath}: script not found`);
    await prefetchRemoteModules(entry);
    return new ScriptProgram(entry);
  }

  private readSource(file: string, from: { file: string; line: number } | undefined): string {
    let source: string;
    if (isRemoteSpecifier(file)) source = readRemoteModule(file, from ? `${from.file}:${from.line}` : file);
    else {
      try {
        source = readFileSync(file, 'utf8');
      } catch {
        throw new ScriptError(`${from ? `${from.file}:${from.line}: ` : ''}cannot read module ${file}`);
      }
    }
    if (!isTypeScript(file)) return source;
    const stripped = stripTypes(source, file);
    this.typeMaps.set(file, new SourceMap(JSON.parse(stripped.map) as SourceMapPayload));
    return stripped.code;
  }

  /** The module a specifier of `file` names: a k6 module (by its specifier) or a file or URL to compile. */
  private resolveSpecifier(specifier: string, file: string, line: number): { k6: true } | { k6: false; target: string } {
    const target = resolveImport(specifier, file);
    if (target.kind === 'k6') {
      if (!findK6Module(specifier)) throw new ScriptError(`${file}:${line}: ${unavailableModuleMessage(specifier)}`);
      return { k6: true };
    }
    if (target.kind === 'bare') {
      throw new ScriptError(`${file}:${line}: module "${specifier}" cannot be resolved (k6 scripts import k6 modules, URLs or relative files); run this script with --engine k6 if k6 resolves it`);
    }
    return { k6: false, target: target.kind === 'remote' ? target.url : target.path };
  }

  private compile(file: string, stack: string[], from: { file: string; line: number } | undefined): ReadonlySet<string> {
    const done = this.asyncExports.get(file);
    if (done) return done;
    if (stack.includes(file)) return new Set(); // an import cycle: the later module sees no async exports
    const source = this.readSource(file, from);
    const resolved = new Map<string, string>();
    const blockingOf: BlockingMembersOf = (specifier) => {
      const m = findK6Module(specifier);
      if (m) return { members: new Set(m.blocking), asyncExports: new Set(), methods: new Set(m.blockingMethods ?? []) };
      const target = resolved.get(specifier);
      return { members: new Set(), asyncExports: (target && this.asyncExports.get(target)) || new Set() };
    };
    const transformed = transformModule(source, file, blockingOf);
    // resolve imports first (dependencies' async exports decide this module's rewrite), then redo
    let needsRedo = false;
    for (const imp of transformed.imports) {
      const r = this.resolveSpecifier(imp.specifier, file, imp.line);
      if (r.k6) {
        resolved.set(imp.specifier, imp.specifier);
        continue;
      }
      resolved.set(imp.specifier, r.target);
      const deps = this.compile(r.target, [...stack, file], { file, line: imp.line });
      if (deps.size > 0) needsRedo = true;
    }
    const final = needsRedo ? transformModule(source, file, blockingOf) : transformed;
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
      crypto: k6WebCrypto(loop),
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
        const k6 = specifier === target ? findK6Module(specifier) : undefined;
        deps.set(specifier, k6 ? k6.create(vu) : await run(target));
      }
      const thrown = (value: unknown, line: number, column: number) => this.markThrown(value, { file, line, column });
      const globals: K6Globals = { vu: vu.id, env: vu.env, open, setIter: () => {}, thrown, globals: vuGlobals };
      await mod.factory((s) => deps.get(s), exports, globals);
      setters.push(globals.setIter);
      return exports;
    };
    vu.inInitContext = true;
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
    } finally {
      vu.inInitContext = false;
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
    const inTransformed = throughMap(this.maps.get(file), line, column);
    const inFile = { file, ...throughMap(this.typeMaps.get(file), inTransformed.line, inTransformed.column) };
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

/** A 1-based position through a source map, unchanged where the map has nothing. */
function throughMap(map: SourceMap | undefined, line: number, column: number): { line: number; column: number } {
  const entry = map?.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number } | undefined;
  if (!entry || entry.originalLine === undefined) return { line, column };
  return { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}
