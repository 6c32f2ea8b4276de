/**
 * One place that owns process exit. Every part that starts something (a child process, a fault,
 * a listening socket) registers how to undo it; on normal completion, Ctrl-C, SIGTERM, SIGHUP or
 * a crash the hooks run newest first, each bounded in time, and then the process exits.
 * A second Ctrl-C skips the graceful hooks and runs only the synchronous last-resort ones.
 */

type Hook = { name: string; run: () => void | Promise<void> };

const hooks: Hook[] = [];
const lastResort: Array<() => void> = [];
let installed = false;
let shuttingDown: Promise<void> | undefined;

const HOOK_TIMEOUT_MS = 10_000;
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
