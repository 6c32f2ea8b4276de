/**
 * One place that owns process exit. Every part that starts something (a child process, a fault,
 * a listening socket) registers how to undo it; on normal completion, Ctrl-C, SIGTERM, SIGHUP or
 * a crash the hooks run newest first, each bounded in time, and then the process exits.
 * A second Ctrl-C skips the graceful hooks and runs only the synchronous last-resort ones.
 * A command that can still leave an honest record of what it measured (the drill: its report,
 * marked interrupted) takes the first signal itself with `onInterrupt`, winds down and exits
 * through its normal path.
 */

type Hook = { name: string; run: () => void | Promise<void> };

const hooks: Hook[] = [];
const lastResort: Array<() => void> = [];
let installed = false;
let shuttingDown: Promise<void> | undefined;
let interruptOwner: ((signal: NodeJS.Signals) => void) | undefined;

const HOOK_TIMEOUT_MS = 10_000;
/** how long an interrupt's owner may take to wind down before the hooks run and the process exits anyway */
const OWNER_GRACE_MS = 90_000;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Registers an async clean-up; returns a function that unregisters it (call it once the thing is undone). */
export function onShutdown(name: string, run: () => void | Promise<void>): () => void {
  install();
  const hook = { name, run };
  hooks.push(hook);
  return () => {
    const i = hooks.indexOf(hook);
    if (i >= 0) hooks.splice(i, 1);
  };
}

/**
 * Registers a synchronous clean-up that also runs from process 'exit' (for example killing child
 * process groups), so it happens even when the async hooks could not finish.
 */
export function onExitSync(run: () => void): () => void {
  install();
  lastResort.push(run);
  return () => {
    const i = lastResort.indexOf(run);
    if (i >= 0) lastResort.splice(i, 1);
  };
}

/** Runs every hook once (newest first). Safe to call more than once; later calls wait for the first. */
export function runShutdownHooks(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<void> {
  shuttingDown ??= (async () => {
    while (hooks.length > 0) {
      const hook = hooks.pop()!;
      try {
        await withTimeout(Promise.resolve().then(hook.run), HOOK_TIMEOUT_MS, hook.name);
      } catch (error) {
        log(`peakready: clean-up "${hook.name}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    runLastResort();
  })();
  return shuttingDown;
}

/**
 * While registered, the first SIGINT, SIGTERM or SIGHUP goes to `handler` instead of ending the
 * process: the owner stops what it does, writes its record and returns through its normal exit
 * path. A second signal forces the exit as always; an owner that has not finished within
 * OWNER_GRACE_MS gets the ordinary clean-up and exit. Returns the function that unregisters it.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  install();
  interruptOwner = handler;
  return () => {
    if (interruptOwner === handler) interruptOwner = undefined;
  };
}

function runLastResort(): void {
  while (lastResort.length > 0) {
    try {
      lastResort.pop()!();
    } catch {
      // best effort: we are exiting
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  let signals = 0;
  for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.on(signal, () => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`\npeakready: ${signal} again, forcing exit\n`);
        runLastResort();
        process.exit(SIGNAL_EXIT[signal]);
      }
      const owner = interruptOwner;
      if (owner) {
        process.stderr.write(`\npeakready: ${signal} received, stopping and writing the record of what ran (press Ctrl-C again to force)\n`);
        setTimeout(() => void runShutdownHooks().finally(() => process.exit(SIGNAL_EXIT[signal])), OWNER_GRACE_MS).unref();
        owner(signal);
        return;
      }
      process.stderr.write(`\npeakready: ${signal} received, cleaning up (press Ctrl-C again to force)\n`);
      void runShutdownHooks().finally(() => process.exit(SIGNAL_EXIT[signal]));
    });
  }
  process.on('exit', runLastResort);
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
