/**
 * The script's `console`, as k6 writes it: every line to stderr (never mixed with the summary or a
 * handleSummary `stdout`), as k6's log lines — `INFO[0003] message  source=console` on a terminal,
 * `time="…" level=info msg="…" source=console` otherwise — and `console.debug` only with
 * `--verbose`. Objects print as compact JSON with sorted keys, functions as "[object Function]"
 * and a cycle as "[Circular]" (k6 ≥ 1.5, grafana/k6#5460).
 */

export interface ConsoleSettings {
  verbose: boolean;
  /** epoch ms the test started: a terminal line shows the seconds since */
  startedAt: number;
  /** terminal format (stderr is a TTY) or key=value lines */
  tty: boolean;
  write(line: string): void;
}

export type ScriptConsole = Record<'log' | 'info' | 'debug' | 'warn' | 'error', (...args: unknown[]) => void>;

type Level = 'debug' | 'info' | 'warning' | 'error';

export function scriptConsole(settings: ConsoleSettings): ScriptConsole {
  const at = (level: Level) => (...args: unknown[]) => {
    if (level === 'debug' && !settings.verbose) return;
    settings.write(logLine(level, formatConsoleArgs(args), settings) + '\n');
  };
  return { log: at('info'), info: at('info'), debug: at('debug'), warn: at('warning'), error: at('error') };
}

/** The console of a worker thread: stderr, in the terminal format when the process's stderr is one. */
export function stderrConsole(settings: Omit<ConsoleSettings, 'write'>): ScriptConsole {
  return scriptConsole({ ...settings, write: (line) => void process.stderr.write(line) });
}

/** One log line as k6 (logrus) prints it. */
export function logLine(level: Level, message: string, settings: Pick<ConsoleSettings, 'tty' | 'startedAt'>, now = Date.now()): string {
  if (settings.tty) {
    const seconds = String(Math.max(0, Math.floor((now - settings.startedAt) / 1000))).padStart(4, '0');
    return `${level.slice(0, 4).toUpperCase()}[${seconds}] ${message.padEnd(44)} source=console`;
  }
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `time="${time}" level=${level} msg=${quoteIfNeeded(message)} source=console`;
}

function quoteIfNeeded(text: string): string {
  return /^[\w\-./@^+]+$/.test(text) ? text : JSON.stringify(text);
}

/** console's arguments, joined by spaces: strings as they are, everything else as k6 shows it. */
export function formatConsoleArgs(args: readonly unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : formatValue(a))).join(' ');
}

export function formatValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'function') return '[object Function]';
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(plain(value, new Set()));
}

/** A JSON-ready copy: sorted keys, functions named, cycles marked (toJSON honoured, as JSON.stringify does). */
function plain(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'function') return '[object Function]';
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return plain((toJSON as () => unknown).call(value), seen);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : plain(v, seen)));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = plain(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
