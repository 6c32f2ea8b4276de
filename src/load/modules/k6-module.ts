import type { VuContext } from '../vu-context.js';

/**
 * What a k6 module provides to the built-in engine. Each module's file exports one; the
 * registry (registry.ts) imports them and keys them by import path.
 */
export interface K6Module {
  specifier: string;
  /** exported functions that block a VU: the load-time rewrite awaits their calls */
  blocking: readonly string[];
  /**
   * methods of the objects the module hands out that block (a gRPC client's `connect`, `invoke`; a Response's `submitForm`):
   * in a file importing the module, a call of a method by that name is awaited whatever its receiver
   */
  blockingMethods?: readonly string[];
  /** one instance per VU (modules hold per-VU state: cookie jar, group path) */
  create(vu: VuContext): Record<string, unknown>;
}
