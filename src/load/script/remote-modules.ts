import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isLoopbackHost } from '../../util/loopback.js';
import { findK6Module, isRemovedK6Module } from '../modules/registry.js';
import { ScriptError } from './errors.js';
import { lineOfFactory, listImports, parseModule } from './transform.js';
import { isTypeScript, stripTypes } from './typescript.js';

/**
 * Remote modules (`import { x } from 'https://jslib.k6.io/...'`), fetched over HTTP(S) as k6
 * fetches them, before the script is compiled, into an on-disk cache that the loader (and every
 * worker thread) then reads synchronously. A URL already in the cache is not fetched again:
 * jslib URLs carry their version. https:// for any host; http:// only for loopback hosts.
 */

/** `$PEAKREADY_HOME/cache/modules`, else `$XDG_CACHE_HOME/peakready/modules` or `~/.cache/peakready/modules`. */
export function moduleCacheDir(): string {
  if (process.env.PEAKREADY_HOME) return join(resolve(process.env.PEAKREADY_HOME), 'cache', 'modules');
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'peakready', 'modules');
}

export function isRemoteSpecifier(specifier: string): boolean {
  return /^https?:\/\//i.test(specifier);
}

function cachePath(url: string): string {
  const u = new URL(url);
  const name = u.pathname.split('/').filter(Boolean).pop() ?? 'index.js';
  return join(moduleCacheDir(), u.host.replace(/[^a-zA-Z0-9.-]/g, '_'), `${createHash('sha256').update(url).digest('hex').slice(0, 24)}-${name.replace(/[^a-zA-Z0-9._-]/g, '_')}`);
}

/** A remote module's source from the cache (prefetchRemoteModules put it there). */
export function readRemoteModule(url: string, from: string): string {
  const path = cachePath(url);
  if (!existsSync(path)) throw new ScriptError(`${from}: remote module ${url} is not in the module cache (${moduleCacheDir()}); it is fetched when the script is loaded`);
  return readFileSync(path, 'utf8');
}

/** What an import names: a k6 module, a remote module (absolute URL) or a file. */
export function resolveImport(specifier: string, importer: string): { kind: 'k6' } | { kind: 'remote'; url: string } | { kind: 'file'; path: string } | { kind: 'bare' } {
  if (findK6Module(specifier) || isRemovedK6Module(specifier) || specifier === 'k6' || specifier.startsWith('k6/')) return { kind: 'k6' };
  if (isRemoteSpecifier(specifier)) return { kind: 'remote', url: new URL(specifier).href };
  if (isRemoteSpecifier(importer)) {
    if (specifier.startsWith('.') || specifier.startsWith('/')) return { kind: 'remote', url: new URL(specifier, importer).href };
    return { kind: 'bare' };
  }
  if (specifier.startsWith('file://')) return { kind: 'file', path: new URL(specifier).pathname };
  if (specifier.startsWith('.') || isAbsolute(specifier)) return { kind: 'file', path: resolve(dirname(importer), specifier) };
  return { kind: 'bare' };
}

/** Fetches every remote module the script reaches (through its files and other remote modules) that the cache lacks. */
export async function prefetchRemoteModules(entry: string): Promise<void> {
  const seen = new Set<string>();
  const visit = async (id: string, from?: { file: string; line: number }): Promise<void> => {
    if (seen.has(id)) return;
    seen.add(id);
    let source: string;
    if (isRemoteSpecifier(id)) source = await fetchModule(id, from!);
    else {
      try {
        source = readFileSync(id, 'utf8');
      } catch {
        return; // the loader reports a missing file with its importer
      }
    }
    const code = isTypeScript(id) ? stripTypes(source, id).code : source;
    let imports;
    try {
      imports = listImports(parseModule(code, id), lineOfFactory(code));
    } catch {
      return; // the loader reports the syntax error at its place
    }
    for (const imp of imports) {
      const target = resolveImport(imp.specifier, id);
      if (target.kind === 'remote') await visit(target.url, { file: id, line: imp.line });
      else if (target.kind === 'file') await visit(target.path, { file: id, line: imp.line });
    }
  };
  await visit(entry);
}

async function fetchModule(url: string, from: { file: string; line: number }): Promise<string> {
  const path = cachePath(url);
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const where = `${from.file}:${from.line}`;
  const u = new URL(url);
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    throw new ScriptError(`${where}: remote module ${url}: k6 loads remote modules over https://; http:// is accepted for loopback hosts only`);
  }
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ScriptError(
      `${where}: cannot fetch remote module ${url} (${cause}), and it is not in the module cache ${moduleCacheDir()}; ` +
        'run once with network access to cache it, or save the file beside the script and import it by a relative path',
    );
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return text;
}
