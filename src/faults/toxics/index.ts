import { bandwidth } from './bandwidth.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { timeout } from './timeout.js';
import type { ToxicType } from './types.js';

/**
 * Every toxic, by its Toxiproxy type name. Adding one: a file exporting a `ToxicType` (attribute
 * schema with defaults + a stage factory; see types.ts) and one line here.
 */
export const toxicRegistry: ReadonlyMap<string, ToxicType> = new Map(
  ([latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData] as unknown as ToxicType[]).map((t) => [t.type, t]),
);

export const TOXIC_TYPES: readonly string[] = [...toxicRegistry.keys()];

export type { StageOutput, ToxicStage, ToxicType } from './types.js';
