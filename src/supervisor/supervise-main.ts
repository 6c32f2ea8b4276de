// Entry point of the detached supervisor that `peakready up --detach` starts (see detached.ts).
// The stack's servers keep this process alive; SIGTERM (`peakready down`) runs the shutdown hooks.
import { runShutdownHooks } from '../lifecycle/shutdown.js';
import { runDetachedSupervisor } from './detached.js';

await runDetachedSupervisor();
if (process.exitCode !== undefined && process.exitCode !== 0) {
  await runShutdownHooks();
  process.exit();
}
