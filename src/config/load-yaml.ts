import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { readUserText } from './user-file.js';

/**
 * Reads a user's YAML (or JSON: YAML is a superset) file and validates it with a zod schema,
 * returning typed data or throwing one ConfigError that lists every problem with file, line
 * and field. This is the one edge where user files become trusted types.
 */
export function loadYamlFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  const { text, file } = readUserText(path);
  return parseYamlText(text, schema, file);
}

/**
 * Aliases (`*name`) expanded past this many node copies are refused: a few hundred bytes of nested
 * aliases ("billion laughs") would otherwise expand to gigabytes. Real files use a handful.
 */
const MAX_ALIAS_COUNT = 100;

/** Same as loadYamlFile for text already in memory; `file` is only used in messages. */
export function parseYamlText<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S> {
  const { doc, data, lineCounter } = parseYamlData(text, file);
  const result = guarded(() => schema.safeParse(data), file);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const field = formatFieldPath(issue.path);
    const position = locate(doc, issue.path, lineCounter);
    // zod words a missing key as "Invalid input" (a union) or "expected string, received undefined"
    const missing = issue.path.length > 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(data, issue.path) === undefined;
    const message = missing ? `required field "${String(issue.path[issue.path.length - 1])}" is missing: add it` : issue.message;
    return { file, ...position, ...(field ? { field } : {}), message };
  });
  throw new ConfigError(issues);
}

/**
 * YAML text to plain data with its document (for line numbers), refusing with a ConfigError what
 * cannot become data safely: syntax errors (each with its line), aliases that expand too far, and
 * nesting deep enough to exhaust the stack.
 */
export function parseYamlData(text: string, file: string): { doc: Document; data: unknown; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = guarded(() => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true }), file);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { file, line, column: col, message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  return { doc, data: yamlToData(doc, file), lineCounter };
}

/** A parsed document's data, with aliases expanded at most MAX_ALIAS_COUNT times. */
export function yamlToData(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /excessive alias/i.test(error.message)) {
      throw new ConfigError([{ file, message: `YAML aliases expand too far (over ${MAX_ALIAS_COUNT} copies, as an "alias bomb" does); write the values out or use fewer aliases` }]);
    }
    // an alias without its anchor, and the like: the YAML library's own words
    if (error instanceof ReferenceError) throw new ConfigError([{ file, message: `YAML: ${error.message}` }]);
    throw tooDeep(error, file);
  }
}

/** Runs `step`, turning a stack overflow on a pathologically nested file into a ConfigError. */
function guarded<T>(step: () => T, file: string): T {
  try {
    return step();
  } catch (error) {
    throw tooDeep(error, file);
  }
}

function tooDeep(error: unknown, file: string): unknown {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new ConfigError([{ file, message: 'is nested too deeply to read (thousands of levels); is this the right file?' }]);
  }
  return error;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `["method", 1, "toxic", "type"]` -> `method[1].toxic.type` */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Line of the deepest node of the path that exists in the document (a missing key points at its parent). */
function locate(doc: Document, path: readonly PropertyKey[], lineCounter: LineCounter): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let found: YamlNode | undefined = doc.contents ?? undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      node = pair.value;
      found = (pair.value ?? pair.key) as YamlNode;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      found = node as YamlNode;
    } else break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
