import type { TimelineEvent } from '../../run/records.js';
import type { FaultWindow } from './evaluate-rules.js';

/**
 * Fault windows from a run's timeline: each `fault on` paired with the next `fault off` of the
 * same experiment, proxy and toxic; a fault never switched off lasts until `endMs` (the run's
 * end, or forever).
 */
export function faultWindowsFromTimeline(events: readonly TimelineEvent[], endMs = Number.POSITIVE_INFINITY): FaultWindow[] {
  const open = new Map<string, Array<{ start: number; proxy: string }>>();
  const windows: FaultWindow[] = [];
  for (const e of events) {
    if (e.type !== 'fault') continue;
    const key = `${e.experiment}\u0000${e.proxy}\u0000${e.kind}\u0000${e.toxic?.name ?? ''}`;
    if (e.state === 'on') (open.get(key) ?? open.set(key, []).get(key)!).push({ start: e.t, proxy: e.proxy });
    else {
      const started = open.get(key)?.shift();
      if (started) windows.push({ start: started.start, end: e.t, proxy: started.proxy });
    }
  }
  for (const list of open.values()) for (const w of list) windows.push({ start: w.start, end: endMs, proxy: w.proxy });
  return windows.sort((a, b) => a.start - b.start);
}
