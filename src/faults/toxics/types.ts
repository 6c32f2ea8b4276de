import type { z } from 'zod';

/** Where a toxic's stage sends what it lets through; bound to the stage's place in one link's chain. */
export interface StageOutput {
  /** pass bytes on to the next toxic (or the destination socket) */
  data(chunk: Buffer): void;
  /** pass the end of the stream (FIN) on */
  end(): void;
  /** bytes the toxic swallowed (for the link's back-pressure accounting) */
  dropped(bytes: number): void;
  /** close the whole connection gracefully (both sockets) */
  close(): void;
  /** reset the whole connection (TCP RST to both peers) */
  reset(): void;
}

/**
 * One toxic on one direction of one connection. Chunks arrive in order through `data`, the end of
 * the stream through `end`; the stage calls `out` whenever it is ready. `detach` is called when the
 * toxic is removed from a live connection: the stage must hand everything it still holds to `out`,
 * in order, synchronously (so removal never reorders bytes), and cancel its timers.
 */
export interface ToxicStage {
  data(chunk: Buffer): void;
  end(): void;
  detach(): void;
  /** the connection went away: cancel timers, drop what is held */
  dispose(): void;
}

/** A toxic type: its attributes (validated by a zod schema that fills defaults) and its stage factory. */
export interface ToxicType<A extends Record<string, number> = Record<string, number>> {
  type: string;
  /** attribute schema; every attribute optional with its default, as Toxiproxy fills zeros */
  attributes: z.ZodType<A>;
  /**
   * Creates the stage for one connection. `attrs()` always returns the toxic's current attributes,
   * so an update applies to live connections from the next chunk on.
   */
  stage(attrs: () => A, out: StageOutput): ToxicStage;
}
