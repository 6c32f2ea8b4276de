import ora, { type Ora } from 'ora';

/**
 * The one line of a long command that says where it is (the drill's status, a chaos experiment's
 * probes). On a terminal it is a spinner (ora) whose text is rewritten in place, and lines that stay
 * are printed above it; anywhere else (a pipe, a CI log, `--quiet`) the same text is a plain line at
 * most every `plainEveryMs`, so a log file reads as a time series and not as thousands of redraws.
 * `--quiet` asks for the plain lines on a terminal too.
 */
export interface LiveLine {
  /** whether the line is drawn in place (a terminal) */
  readonly interactive: boolean;
  /** the line now */
  show(text: string): void;
  /** a step that the log lines already tell (starting, stopping): on a terminal the line now, elsewhere nothing */
  step(text: string): void;
  /** a line that stays, written to `to` (stderr by default) above the live line */
  log(line: string, to?: NodeJS.WritableStream): void;
  /** the columns `show` may fill without the terminal wrapping it; unbounded elsewhere */
  width(): number;
  /** clears the live line; idempotent. Must be called: a spinning line keeps the process alive. */
  stop(): void;
}

export interface LiveLineOptions {
  /** where the live line goes; stderr, so that stdout holds only results */
  stream?: NodeJS.WriteStream;
  /** false (`--quiet`): plain lines even on a terminal */
  inPlace?: boolean;
  plainEveryMs: number;
  /** put before each plain line, e.g. `peakready: ` */
  plainPrefix?: string;
  /** the text before the first `show`, on a terminal only */
  initialText?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * A terminal that can show a spinner: a TTY that knows its width (a pseudo-terminal with no size,
 * as `script` or some CI runners open, reports 0 columns, and a line cannot be fitted or cleared
 * there) and not a CI log.
 */
export function canDrawInPlace(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && !env.CI;
}

/** The spinner's frame and the space after it. */
const SPINNER_COLUMNS = 2;

export function liveLine(options: LiveLineOptions): LiveLine {
  const stream = options.stream ?? process.stderr;
  const interactive = (options.inPlace ?? true) && canDrawInPlace(stream, options.env);
  if (!interactive) return plainLine(stream, options);
  const spinner: Ora = ora({
    stream,
    text: options.initialText ?? '',
    isEnabled: true,
    // Ctrl-C stays the drill's signal (ora would read stdin in raw mode), and a killed process never leaves a hidden cursor
    discardStdin: false,
    hideCursor: false,
  }).start();
  let stopped = false;
  return {
    interactive,
    show(text) {
      const width = this.width();
      // one row: a wrapped line would be redrawn below itself on a terminal that is resized narrower
      if (!stopped) spinner.text = text.length > width ? text.slice(0, width - 1) + '…' : text;
    },
    step(text) {
      this.show(text);
    },
    log(line, to = process.stderr) {
      // ora clears its line before any write to stdout/stderr while it spins, and draws it again below
      to.write(line + '\n');
    },
    width: () => Math.max(20, (stream.columns ?? 80) - SPINNER_COLUMNS - 1),
    stop() {
      if (stopped) return;
      stopped = true;
      spinner.stop();
    },
  };
}

function plainLine(stream: NodeJS.WriteStream, options: LiveLineOptions): LiveLine {
  let lastPlain = 0;
  return {
    interactive: false,
    show(text) {
      if (Date.now() - lastPlain < options.plainEveryMs) return;
      lastPlain = Date.now();
      stream.write((options.plainPrefix ?? '') + text + '\n');
    },
    step: () => undefined,
    log(line, to = process.stderr) {
      to.write(line + '\n');
    },
    width: () => Number.POSITIVE_INFINITY,
    stop: () => undefined,
  };
}
