import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';

/**
 * Reads a user's YAML (or JSON: YAML is a superset) file and validates it with a zod schema,
 * returning typed data or throwing one ConfigError that lists every problem with file, line
 * and field. This is the one edge where user files become trusted types.
 */
export function loadYamlFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file: displayPath(path), message: code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})` }]);
  }
  return parseYamlText(text, schema, displayPath(path));
}

/** Same as loadYamlFile for text already in memory; `file` is only used in messages. */
export function parseYamlText<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { file, line, column: col, message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = schema.safeParse(data);
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

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
