import type { TimelineEvent } from '../run/records.js';

/**
 * One plain line per stack event (stack, replica, replicas, database, note): the detached supervisor's log
 * and `up`'s live view when stdout is not a terminal write the same lines.
 */
export function describeEvent(event: TimelineEvent): string | undefined {
  switch (event.type) {
    case 'stack':
      return `stack ${event.state}${event.detail ? `: ${event.detail}` : ''}`;
    case 'replica':
      return `${event.replica} ${event.state} (pid ${event.pid})`;
    case 'replicas':
      return `${event.service}: ${event.from} -> ${event.to} replicas (${event.ready} ready)`;
    case 'database':
      return `database ${event.state} (pid ${event.pid}): ${event.detail}`;
    case 'note':
      return `${event.level}: ${event.message}`;
    default:
      return undefined;
  }
}
