import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { distEntry } from '../paths.js';
import { isProcessAlive } from '../stack/stack-state.js';
import { waitForReady } from './wait-ready.js';

/**
 * A pristine, initialised PGlite data directory, made once per PGlite version in the user's cache
 * (`$XDG_CACHE_HOME/peakready` or `~/.cache/peakready`) and copied for every stack start. Each run
 * gets its own copy (a fresh, empty database, as before) without paying initdb each time.
 */

const RUN_PREFIX = 'peakready-pglite-run-';

/**
 * The installed PGlite's version, found where Node resolves the package: under peakready's own
 * node_modules in a checkout, hoisted beside peakready when it is installed as a dependency.
 */
function pgliteVersion(): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
        if (pkg.name === '@electric-sql/pglite') return pkg.version;
      }
      if (dirname(dir) === dir) return 'unknown';
      dir = dirname(dir);
    }
  } catch {
    return 'unknown';
  }
}

export function pgliteTemplateDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'peakready', `pglite-${pgliteVersion()}`);
}

/** Initialises the template once: the server runs on a private directory, stops cleanly, and the directory is renamed into place. */
async function ensureTemplate(entry: string, logFile: string, timeoutMs: number): Promise<string | undefined> {
  const template = pgliteTemplateDir();
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  mkdirSync(join(template, '..'), { recursive: true });
  const building = `${template}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  const child = spawnManaged({
    name: 'postgres-template',
    command: process.execPath,
    args: [distEntry(entry)],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PGLITE_DATA_DIR: building },
    logFile,
    ipc: true,
  });
  try {
    await waitForReady(child, logFile, timeoutMs, 'the embedded database (PGlite) template');
    await stopChild(child, 5_000);
    if (!existsSync(join(building, 'PG_VERSION'))) throw new Error('no PG_VERSION after initdb');
    renameSync(building, template);
  } catch {
    // another peakready won the race, or initialisation failed: run without a template (slower)
    await stopChild(child, 1_000);
    rmSync(building, { recursive: true, force: true });
  }
  return existsSync(join(template, 'PG_VERSION')) ? template : undefined;
}

/** Copies of dead supervisors (SIGKILLed) are removed here, so /tmp does not fill up. */
function removeStaleCopies(): void {
  for (const name of readdirSync(tmpdir())) {
    const match = new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name);
    if (match && !isProcessAlive(Number(match[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** A fresh data directory for one run (removed by `remove()`), or the server's own temp dir when no template could be made. */
export async function freshPgliteDataDir(entry: string, logFile: string, timeoutMs: number): Promise<{ dir: string; remove(): void }> {
  removeStaleCopies();
  const template = await ensureTemplate(entry, logFile, timeoutMs);
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}${process.pid}-`));
  if (template) cpSync(template, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
