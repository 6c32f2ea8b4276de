import { parse, type Node } from 'acorn';
import { simple } from 'acorn-walk';
import MagicString from 'magic-string';
import { rewriteBlockingCalls, type BlockingNames } from './async-rewrite.js';
import { ScriptError } from './errors.js';

/**
 * Turns one k6 ES module into the body of an async factory function the loader can run once per
 * VU: `import` becomes a call to the module table, `export` fills `__exports`, and blocking k6
 * calls are awaited (see async-rewrite.ts). Every line keeps its number (replacements keep their
 * newlines and the wrapper sits on line 1), so positions stay true even before the source map.
 */

// acorn's Node type carries no per-type fields; the rewrite reads them by ESTree name
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Node & Record<string, any>;

export interface ImportBinding {
  local: string;
  /** 'default', '*' or the imported name */
  imported: string;
}

export interface ModuleImport {
  specifier: string;
  bindings: ImportBinding[];
  line: number;
}

export interface TransformedModule {
  /** `(function (__import, __exports, __k6) { ... })` as source text: called, it returns the module body's promise */
  code: string;
  map: ReturnType<MagicString['generateMap']>;
  imports: ModuleImport[];
  asyncExports: Set<string>;
}

/**
 * What the transform must know about each imported module: which of its members block, and which
 * methods of the objects it hands out block (a gRPC client's `invoke`), whatever they are called on.
 */
export type BlockingMembersOf = (specifier: string) => { members: ReadonlySet<string>; asyncExports: ReadonlySet<string>; methods?: ReadonlySet<string> };

export const FACTORY_PARAMS = ['__import', '__exports', '__k6'] as const;

/** k6's globals, bound per VU in an outer scope: the script may declare its own of the same name. */
const SCRIPT_GLOBALS = ['console', 'crypto', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const;

/**
 * Line 1 of every transformed module: the factory, k6's globals, then the module's own body in
 * strict mode (an ES module is strict: `x = 1` without a declaration is a ReferenceError, as in k6).
 */
const MODULE_PROLOGUE =
  `(function (${FACTORY_PARAMS.join(', ')}) { 'use strict'; const __VU = __k6.vu, __ENV = __k6.env, open = __k6.open, __k6t = __k6.thrown, ` +
  SCRIPT_GLOBALS.map((name) => `${name} = __k6.globals.${name}`).join(', ') +
  `; let __ITER = 0; __k6.setIter = (i) => { __ITER = i; }; return (async function () { 'use strict'; `;

export function lineOfFactory(source: string): (pos: number) => number {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return (pos) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

export function parseModule(source: string, file: string): AnyNode {
  try {
    return parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, locations: false }) as AnyNode;
  } catch (error) {
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const message = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    throw new ScriptError(`${file}:${e.loc?.line ?? 1}:${(e.loc?.column ?? 0) + 1}: SyntaxError: ${message}`);
  }
}

/** The import specifiers of a module, in order (the loader resolves them before transforming). */
export function listImports(ast: AnyNode, lineOf: (pos: number) => number): ModuleImport[] {
  const out: ModuleImport[] = [];
  for (const node of ast.body as AnyNode[]) {
    if (node.type === 'ImportDeclaration') {
      out.push({
        specifier: node.source.value,
        line: lineOf(node.start),
        bindings: (node.specifiers as AnyNode[]).map((s) => ({
          local: s.local.name,
          imported: s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : (s.imported.name ?? s.imported.value),
        })),
      });
    } else if ((node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && node.source) {
      out.push({ specifier: node.source.value, line: lineOf(node.start), bindings: [] });
    }
  }
  return out;
}

export function transformModule(source: string, file: string, blockingOf: BlockingMembersOf): TransformedModule {
  const ast = parseModule(source, file);
  const lineOf = lineOfFactory(source);
  const imports = listImports(ast, lineOf);
  const code = new MagicString(source);
  const statements = new ModuleStatements(source, file, code, lineOf, blockingOf);
  for (const node of ast.body as AnyNode[]) statements.rewrite(node);

  const { asyncNames } = rewriteBlockingCalls(ast, code, file, lineOf, statements.blocking);
  const asyncExports = new Set<string>();
  const tail: string[] = [];
  for (const [name, local] of statements.exported) {
    // getters keep ESM's live bindings (`export let counter` read after it changes)
    tail.push(`Object.defineProperty(__exports, ${JSON.stringify(name)}, { enumerable: true, get: () => ${local} });`);
    if (asyncNames.has(local)) asyncExports.add(name);
  }
  markThrownValues(ast, source, code, lineOf);
  if (isCommonJs(ast)) {
    // a module without import or export (a UMD jslib bundle): CommonJS, its module.exports the default export and the named ones, as k6 takes it
    code.prepend('const module = { exports: {} }; let exports = module.exports; ');
    tail.push('__exports.default = module.exports; if (module.exports && typeof module.exports === "object") for (const k of Object.keys(module.exports)) if (k !== "default") __exports[k] = module.exports[k];');
  }
  code.prepend(MODULE_PROLOGUE);
  code.append(`\n;${tail.join(' ')}\n})(); })`);
  return { code: code.toString(), map: code.generateMap({ source: file, file: file + '.k6.js', includeContent: false, hires: true }), imports, asyncExports };
}

/** No import or export statement, and it does not bind `module` or `exports` itself. */
function isCommonJs(ast: AnyNode): boolean {
  const esm = (ast.body as AnyNode[]).some((n) => n.type === 'ImportDeclaration' || n.type.startsWith('Export'));
  return !esm && !declaresTopLevel(ast, 'module') && !declaresTopLevel(ast, 'exports');
}

/** Whether the module binds `name` at its top level (import, var/let/const, function, class). */
function declaresTopLevel(ast: AnyNode, name: string): boolean {
  const inPattern = (p: AnyNode | null | undefined): boolean => {
    if (!p) return false;
    if (p.type === 'Identifier') return p.name === name;
    if (p.type === 'ObjectPattern') return (p.properties as AnyNode[]).some((prop) => inPattern(prop.type === 'RestElement' ? prop.argument : prop.value));
    if (p.type === 'ArrayPattern') return (p.elements as AnyNode[]).some((e) => inPattern(e));
    if (p.type === 'RestElement') return inPattern(p.argument);
    if (p.type === 'AssignmentPattern') return inPattern(p.left);
    return false;
  };
  const declares = (node: AnyNode | null | undefined): boolean => {
    if (!node) return false;
    if (node.type === 'ImportDeclaration') return (node.specifiers as AnyNode[]).some((s) => s.local.name === name);
    if (node.type === 'VariableDeclaration') return (node.declarations as AnyNode[]).some((d) => inPattern(d.id));
    if (node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') return node.id?.name === name;
    if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration') return declares(node.declaration);
    return false;
  };
  return (ast.body as AnyNode[]).some(declares);
}

/** The module's import and export statements rewritten in place, one method per kind of statement. */
class ModuleStatements {
  /** the imported names whose calls block, for the async rewrite */
  readonly blocking: BlockingNames = { namespaces: new Map(), functions: new Set(), methods: new Set() };
  /** [exported name, local name] */
  readonly exported: Array<[string, string]> = [];
  private importIndex = 0;

  constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly code: MagicString,
    private readonly lineOf: (pos: number) => number,
    private readonly blockingOf: BlockingMembersOf,
  ) {}

  rewrite(node: AnyNode): void {
    if (node.type === 'ImportDeclaration') this.importDeclaration(node);
    else if (node.type === 'ExportDefaultDeclaration') this.exportDefault(node);
    else if (node.type === 'ExportNamedDeclaration') this.exportNamed(node);
    else if (node.type === 'ExportAllDeclaration') this.exportAll(node);
  }

  /** Replaces a statement, keeping its newlines so every later line keeps its number. */
  private keepLines(start: number, end: number, text: string): void {
    const newlines = this.source.slice(start, end).split('\n').length - 1;
    this.code.overwrite(start, end, text + '\n'.repeat(newlines));
  }

  private nextRef(): string {
    return `__m${this.importIndex++}`;
  }

  private importDeclaration(node: AnyNode): void {
    const spec = node.source.value as string;
    const info = this.blockingOf(spec);
    for (const method of info.methods ?? []) this.blocking.methods.add(method);
    const ref = this.nextRef();
    const parts = [`const ${ref} = __import(${JSON.stringify(spec)});`];
    for (const s of node.specifiers as AnyNode[]) {
      const local = s.local.name as string;
      if (s.type === 'ImportNamespaceSpecifier') {
        parts.push(`const ${local} = ${ref};`);
        this.blocking.namespaces.set(local, info.members);
      } else if (s.type === 'ImportDefaultSpecifier') {
        parts.push(`const ${local} = ${ref}.default;`);
        this.blocking.namespaces.set(local, info.members);
        if (info.asyncExports.has('default')) this.blocking.functions.add(local);
      } else {
        const imported = (s.imported.name ?? s.imported.value) as string;
        parts.push(`const ${local} = ${ref}[${JSON.stringify(imported)}];`);
        if (info.members.has(imported) || info.asyncExports.has(imported)) this.blocking.functions.add(local);
      }
    }
    this.keepLines(node.start, node.end, parts.join(' '));
  }

  private exportDefault(node: AnyNode): void {
    const decl = node.declaration as AnyNode;
    if ((decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id) {
      this.code.remove(node.start, decl.start);
      this.exported.push(['default', decl.id.name]);
    } else {
      this.code.overwrite(node.start, decl.start, '__exports.default = ');
      if (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') {
        // an anonymous declaration is now an expression statement; keep it one
        this.code.appendLeft(node.end, ';');
      }
    }
  }

  private exportNamed(node: AnyNode): void {
    if (node.source) {
      const ref = this.nextRef();
      const parts = [`const ${ref} = __import(${JSON.stringify(node.source.value)});`];
      for (const s of node.specifiers as AnyNode[]) parts.push(`__exports[${JSON.stringify(s.exported.name ?? s.exported.value)}] = ${ref}[${JSON.stringify(s.local.name ?? s.local.value)}];`);
      this.keepLines(node.start, node.end, parts.join(' '));
    } else if (node.declaration) {
      this.code.remove(node.start, node.declaration.start);
      const decl = node.declaration as AnyNode;
      if (decl.type === 'VariableDeclaration') {
        for (const d of decl.declarations as AnyNode[]) {
          if (d.id.type !== 'Identifier') throw new ScriptError(`${this.file}:${this.lineOf(d.start)}: destructuring in an export is not supported by the built-in engine; export plain names`);
          this.exported.push([d.id.name, d.id.name]);
        }
      } else this.exported.push([decl.id.name, decl.id.name]);
    } else {
      for (const s of node.specifiers as AnyNode[]) this.exported.push([s.exported.name ?? s.exported.value, s.local.name]);
      this.keepLines(node.start, node.end, '');
    }
  }

  private exportAll(node: AnyNode): void {
    const ref = this.nextRef();
    const target = node.exported ? `__exports[${JSON.stringify(node.exported.name)}] = ${ref};` : `for (const k of Object.keys(${ref})) if (k !== 'default') __exports[k] = ${ref}[k];`;
    this.keepLines(node.start, node.end, `const ${ref} = __import(${JSON.stringify(node.source.value)}); ${target}`);
  }
}

/**
 * `throw value` becomes `throw __k6t(value, line, column)`: a thrown string or plain object has no
 * stack, so the loader keeps where it was thrown (ScriptProgram.describeError). `throw new X()`
 * is left alone: the object carries its own stack.
 */
function markThrownValues(ast: AnyNode, source: string, code: MagicString, lineOf: (pos: number) => number): void {
  simple(ast as never, {
    ThrowStatement(node: AnyNode) {
      const arg = node.argument as AnyNode;
      if (arg.type === 'NewExpression') return;
      const column = arg.start - source.lastIndexOf('\n', arg.start - 1);
      code.appendLeft(arg.start, '__k6t(');
      code.prependRight(arg.end, `, ${lineOf(arg.start)}, ${column})`);
    },
  } as never);
}
