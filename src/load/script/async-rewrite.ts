import type { Node } from 'acorn';
import { ancestor } from 'acorn-walk';
import type MagicString from 'magic-string';
import { ScriptError } from './errors.js';

/**
 * The synchronous k6 style on Node: k6 calls that block a VU (`http.get`, `sleep`, `group`, ...)
 * return promises here, so every function that reaches one becomes `async` and every call site of
 * such a function gets `await`, found by a fixpoint over the module's call graph. Functions that
 * reach no blocking call stay exactly as written (check predicates, comparators, helpers), so the
 * rewrite costs nothing where it is not needed. Resolution is by name, which over-approximates:
 * awaiting a plain value is harmless.
 */

// acorn's Node type carries no per-type fields; the rewrite reads them by ESTree name
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Node & Record<string, any>;

export interface BlockingNames {
  /** local names bound to a module namespace whose listed members block (e.g. `http` → get, post) */
  namespaces: Map<string, ReadonlySet<string>>;
  /** local names that are blocking functions themselves (`import { sleep } from 'k6'`, async exports of local modules) */
  functions: Set<string>;
  /**
   * method names that block on any receiver, from the modules this file imports: `client.invoke()`
   * where `client = new grpc.Client()` (by name, like everything here: over-approximation is safe)
   */
  methods: Set<string>;
}

export interface RewriteResult {
  /** names of top-level functions that became async (so importers await them) */
  asyncNames: Set<string>;
}

/** Array-style callbacks that cannot wait for a promise: a blocking call inside one is refused. */
const SYNC_CALLBACK_METHODS = new Set(['map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'sort', 'toSorted']);
const SYNC_CALLBACK_FUNCTIONS = new Set(['check']);

function isFunction(node: AnyNode): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** The name a function is known by: its own id, the variable or property it is assigned to. */
function functionName(fn: AnyNode, parent: AnyNode | undefined): string | undefined {
  if (fn.id?.name) return fn.id.name as string;
  if (!parent) return undefined;
  if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && !parent.computed) {
    return parent.key.type === 'Identifier' ? parent.key.name : String(parent.key.value);
  }
  if (parent.type === 'AssignmentExpression' && parent.left.type === 'Identifier') return parent.left.name;
  return undefined;
}

interface FunctionSite {
  node: AnyNode;
  name?: string;
  parent?: AnyNode;
  grand?: AnyNode;
}

interface CallSite {
  node: AnyNode;
  /** the innermost function the call is in; undefined at the module's top level */
  fn?: AnyNode;
  /**
   * the call opens a statement of a statement list whose previous statement ends without a
   * semicolon: its "(await " would continue that statement (`log(x)⏎(await sleep(1))` calls log's
   * result), so it is written ";(await "
   */
  opensListStatement?: boolean;
}

const STATEMENT_LISTS = new Set(['Program', 'BlockStatement', 'StaticBlock', 'SwitchCase']);

export function rewriteBlockingCalls(ast: AnyNode, code: MagicString, file: string, lineOf: (pos: number) => number, blocking: BlockingNames): RewriteResult {
  const { functions, calls } = functionsAndCalls(ast, code.original);
  const reach = new BlockingReach(blocking, functions, calls);
  markAsync(functions, reach.asyncFns, code, file, lineOf);

  // pre-order: an outer call's "(await " must come before an inner one starting at the same place
  const ordered = calls.filter((c) => reach.isBlockingCall(c.node)).sort((a, b) => a.node.start - b.node.start || b.node.end - a.node.end);
  const guarded = new Set<number>();
  for (const call of ordered) {
    if (call.fn && !reach.asyncFns.has(call.fn) && !call.fn.async) continue; // top-level init code: left as written
    if (!call.fn) continue;
    const guard = call.opensListStatement && !guarded.has(call.node.start);
    if (guard) guarded.add(call.node.start);
    code.appendLeft(call.node.start, guard ? ';(await ' : '(await ');
    code.prependRight(call.node.end, ')');
  }
  const topLevelAsync = new Set<string>();
  for (const f of functions) if (reach.asyncFns.has(f.node) && f.name && !f.parent?.type.startsWith('Property') && f.parent?.type !== 'MethodDefinition') topLevelAsync.add(f.name);
  return { asyncNames: topLevelAsync };
}

/** A statement of a list whose previous statement does not end with ";" (so a "(" opening it would continue that one). */
function afterUnterminated(statement: AnyNode, list: AnyNode, source: string): boolean {
  if (!STATEMENT_LISTS.has(list.type)) return false;
  const body = (list.type === 'SwitchCase' ? list.consequent : list.body) as AnyNode[];
  const previous = body[body.indexOf(statement) - 1];
  return previous !== undefined && source.charAt(previous.end - 1) !== ';';
}

/** Every function of the module (with the name it is known by) and every call, with the function it is in. */
function functionsAndCalls(ast: AnyNode, source: string): { functions: FunctionSite[]; calls: CallSite[] } {
  const functions: FunctionSite[] = [];
  const calls: CallSite[] = [];
  ancestor(ast as never, {
    Function(node: AnyNode, _state: unknown, ancestors: AnyNode[]) {
      const parent = ancestors[ancestors.length - 2];
      functions.push({ node, name: functionName(node, parent), parent, grand: ancestors[ancestors.length - 3] });
    },
    CallExpression(node: AnyNode, _state: unknown, ancestors: AnyNode[]) {
      let fn: AnyNode | undefined;
      for (let i = ancestors.length - 2; i >= 0; i--) {
        if (isFunction(ancestors[i]!)) {
          fn = ancestors[i];
          break;
        }
      }
      let statement = ancestors.length - 2;
      while (statement >= 0 && ancestors[statement]!.type !== 'ExpressionStatement' && !isFunction(ancestors[statement]!)) statement--;
      const opensListStatement =
        statement > 0 && ancestors[statement]!.type === 'ExpressionStatement' && ancestors[statement]!.start === node.start && afterUnterminated(ancestors[statement]!, ancestors[statement - 1]!, source);
      calls.push({ node, fn, opensListStatement });
    },
  } as never);
  return { functions, calls };
}

/** The fixpoint: the functions that reach a blocking call, directly or through other functions of the script. */
class BlockingReach {
  readonly asyncFns = new Set<AnyNode>();
  private readonly asyncNames: Set<string>;
  // methods of the script's own objects/classes that became async: `api.browse()` is awaited
  private readonly localMethodNames = new Set<string>();

  constructor(
    private readonly blocking: BlockingNames,
    functions: readonly FunctionSite[],
    calls: readonly CallSite[],
  ) {
    this.asyncNames = new Set<string>(blocking.functions);
    for (let changed = true; changed; ) {
      changed = false;
      for (const call of calls) {
        if (!call.fn || this.asyncFns.has(call.fn) || !this.isBlockingCall(call.node)) continue;
        this.asyncFns.add(call.fn);
        changed = true;
        const entry = functions.find((f) => f.node === call.fn)!;
        if (entry.name) {
          if (entry.parent?.type === 'Property' || entry.parent?.type === 'MethodDefinition' || entry.parent?.type === 'PropertyDefinition') this.localMethodNames.add(entry.name);
          else this.asyncNames.add(entry.name);
        }
      }
    }
  }

  isBlockingCall(call: AnyNode): boolean {
    const callee = call.callee as AnyNode;
    if (callee.type === 'Identifier') return this.asyncNames.has(callee.name);
    if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
      const member = callee.property.name as string;
      if (callee.object.type === 'Identifier') {
        const ns = this.blocking.namespaces.get(callee.object.name);
        if (ns) return ns.has(member);
      }
      return this.localMethodNames.has(member) || this.blocking.methods.has(member);
    }
    return false;
  }
}

/** `async` before every function that reaches a blocking call; the places that cannot wait are refused, all at once. */
function markAsync(functions: readonly FunctionSite[], asyncFns: ReadonlySet<AnyNode>, code: MagicString, file: string, lineOf: (pos: number) => number): void {
  const problems: string[] = [];
  for (const f of functions) {
    if (!asyncFns.has(f.node) || f.node.async) continue;
    refuseSyncCallback(f, file, lineOf, problems);
    if (f.node.generator) problems.push(`${file}:${lineOf(f.node.start)}: a generator function cannot make blocking k6 calls; use a plain function`);
    const p = f.parent;
    if (p && (p.type === 'MethodDefinition' || (p.type === 'Property' && (p.method || p.kind !== 'init')))) {
      if (p.kind === 'get' || p.kind === 'set') {
        problems.push(`${file}:${lineOf(p.start)}: a getter or setter cannot make blocking k6 calls; use a method`);
        continue;
      }
      code.appendLeft(p.static ? p.key.start : p.key.start, 'async ');
    } else {
      code.appendLeft(f.node.start, 'async ');
    }
  }
  if (problems.length) throw new ScriptError(problems.join('\n'));
}

function refuseSyncCallback(f: FunctionSite, file: string, lineOf: (pos: number) => number, problems: string[]): void {
  const call = f.parent;
  if (!call || call.type !== 'CallExpression' || !call.arguments.includes(f.node)) return;
  const callee = call.callee as AnyNode;
  const method = callee.type === 'MemberExpression' && !callee.computed ? (callee.property.name as string) : undefined;
  const fnName = callee.type === 'Identifier' ? (callee.name as string) : undefined;
  if (method && SYNC_CALLBACK_METHODS.has(method)) {
    problems.push(
      `${file}:${lineOf(f.node.start)}: a blocking k6 call (http request, sleep, group) inside a .${method}() callback cannot run here; ` +
        'rewrite it as a for...of loop, or send the requests together with http.batch()',
    );
  } else if (fnName && SYNC_CALLBACK_FUNCTIONS.has(fnName)) {
    problems.push(`${file}:${lineOf(f.node.start)}: a ${fnName}() callback must not make blocking k6 calls (k6 runs it synchronously); make the request before ${fnName}()`);
  }
}
