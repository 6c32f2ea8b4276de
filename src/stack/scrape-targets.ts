import type { StackState } from './contract.js';
import type { ServiceName } from './definition.js';

/** A ready replica's metrics endpoint (the contract: GET /metrics on its own port), labelled for a scraper. */
export interface ReplicaScrapeTarget {
  service: ServiceName;
  replica: string;
  url: string;
}

/** Every ready replica of a running stack, as a scrape target labelled with its service and replica id. */
export function readyScrapeTargets(state: StackState): ReplicaScrapeTarget[] {
  return state.services.flatMap((s) => s.replicas.filter((r) => r.state === 'ready').map((r) => ({ service: s.name, replica: r.id, url: `http://127.0.0.1:${r.port}/metrics` })));
}
