import { parse, type Node } from 'acorn';
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
  /** `async function (__import, __exports, __k6) { ... }` as source text */
  code: string;
  map: ReturnType<MagicString['generateMap']>;
  imports: ModuleImport[];
  asyncExports: Set<string>;
}

/** What the transform must know about each imported module: which of its members block. */
export type BlockingMembersOf = (specifier: string) => { members: ReadonlySet<string>; asyncExports: ReadonlySet<string> };

export const FACTORY_PARAMS = ['__import', '__exports', '__k6'] as const;

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
  const blocking: BlockingNames = { namespaces: new Map(), functions: new Set() };
  const exported: Array<[string, string]> = [];
  const tail: string[] = [];
  const keepLines = (start: number, end: number, text: string) => {
    const newlines = source.slice(start, end).split('\n').length - 1;
    code.overwrite(start, end, text + '\n'.repeat(newlines));
  };

  let importIndex = 0;
  for (const node of ast.body as AnyNode[]) {
    if (node.type === 'ImportDeclaration') {
      const spec = node.source.value as string;
      const info = blockingOf(spec);
      const ref = `__m${importIndex++}`;
      const parts = [`const ${ref} = __import(${JSON.stringify(spec)});`];
      for (const s of node.specifiers as AnyNode[]) {
        const local = s.local.name as string;
        if (s.type === 'ImportNamespaceSpecifier') {
          parts.push(`const ${local} = ${ref};`);
          blocking.namespaces.set(local, info.members);
        } else if (s.type === 'ImportDefaultSpecifier') {
          parts.push(`const ${local} = ${ref}.default;`);
          blocking.namespaces.set(local, info.members);
          if (info.asyncExports.has('default')) blocking.functions.add(local);
        } else {
          const imported = (s.imported.name ?? s.imported.value) as string;
          parts.push(`const ${local} = ${ref}[${JSON.stringify(imported)}];`);
          if (info.members.has(imported) || info.asyncExports.has(imported)) blocking.functions.add(local);
        }
      }
      keepLines(node.start, node.end, parts.join(' '));
    } else if (node.type === 'ExportDefaultDeclaration') {
      const decl = node.declaration as AnyNode;
      if ((decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id) {
        code.remove(node.start, decl.start);
        exported.push(['default', decl.id.name]);
      } else {
        code.overwrite(node.start, decl.start, '__exports.default = ');
        if (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') {
          // an anonymous declaration is now an expression statement; keep it one
          code.appendLeft(node.end, ';');
        }
      }
    } else if (node.type === 'ExportNamedDeclaration') {
      if (node.source) {
        const ref = `__m${importIndex++}`;
        const parts = [`const ${ref} = __import(${JSON.stringify(node.source.value)});`];
        for (const s of node.specifiers as AnyNode[]) parts.push(`__exports[${JSON.stringify(s.exported.name ?? s.exported.value)}] = ${ref}[${JSON.stringify(s.local.name ?? s.local.value)}];`);
        keepLines(node.start, node.end, parts.join(' '));
      } else if (node.declaration) {
        code.remove(node.start, node.declaration.start);
        const decl = node.declaration as AnyNode;
        if (decl.type === 'VariableDeclaration') {
          for (const d of decl.declarations as AnyNode[]) {
            if (d.id.type !== 'Identifier') throw new ScriptError(`${file}:${lineOf(d.start)}: destructuring in an export is not supported by the built-in engine; export plain names`);
            exported.push([d.id.name, d.id.name]);
          }
        } else exported.push([decl.id.name, decl.id.name]);
      } else {
        for (const s of node.specifiers as AnyNode[]) exported.push([s.exported.name ?? s.exported.value, s.local.name]);
        keepLines(node.start, node.end, '');
      }
    } else if (node.type === 'ExportAllDeclaration') {
      const ref = `__m${importIndex++}`;
      const target = node.exported ? `__exports[${JSON.stringify(node.exported.name)}] = ${ref};` : `for (const k of Object.keys(${ref})) if (k !== 'default') __exports[k] = ${ref}[k];`;
      keepLines(node.start, node.end, `const ${ref} = __import(${JSON.stringify(node.source.value)}); ${target}`);
    }
  }

  const { asyncNames } = rewriteBlockingCalls(ast, code, file, lineOf, blocking);
  const asyncExports = new Set<string>();
  for (const [name, local] of exported) {
    // getters keep ESM's live bindings (`export let counter` read after it changes)
    tail.push(`Object.defineProperty(__exports, ${JSON.stringify(name)}, { enumerable: true, get: () => ${local} });`);
    if (asyncNames.has(local)) asyncExports.add(name);
  }
  code.prepend(`(async function (${FACTORY_PARAMS.join(', ')}) { const __VU = __k6.vu; let __ITER = 0; __k6.setIter = (i) => { __ITER = i; }; const __ENV = __k6.env; const open = __k6.open; `);
  code.append(`\n;${tail.join(' ')}\n})`);
  return { code: code.toString(), map: code.generateMap({ source: file, file: file + '.k6.js', includeContent: false, hires: true }), imports, asyncExports };
}
