import type { ServiceName } from './definition.js';

/**
 * The contract between the supervisor and a replica process. Every reference-stack service
 * follows it; nothing else about a service is known to the supervisor.
 *
 * Environment a replica receives:
 *   SERVICE_NAME            e.g. "catalog"
 *   REPLICA_ID              e.g. "catalog-2"
 *   PORT                    "0": listen on an ephemeral port on HOST and report it
 *   HOST                    "127.0.0.1"
 *   <UPSTREAM>_URL          one per dependency (see upstreamEnvVar), e.g. CATALOG_URL=http://127.0.0.1:7201
 *                           (a fault proxy's port when one is in front of the edge)
 *   DATABASE_URL            for services that own a schema: postgres://...; DB_SCHEMA names the schema
 *   OTEL_EXPORTER_OTLP_ENDPOINT  base URL of an OTLP/HTTP receiver (the SDK appends /v1/traces);
 *                           OTEL_SDK_DISABLED=true turns tracing off
 *   OTEL_SERVICE_NAME       = SERVICE_NAME
 *   CPU_REQUEST_MILLICORES  the declared CPU request (for utilisation)
 *   LOG_LEVEL               "info" by default; logs are JSON lines on stdout with trace ids
 *
 * What a replica does:
 *   - serves GET /healthz (alive), GET /readyz (ready for traffic: migrations done, listening),
 *     GET /metrics (Prometheus text format) on the same port as its API;
 *   - when listening and ready, sends one IPC message `{ type: 'ready', port }` (ReplicaReadyMessage);
 *   - on SIGTERM: stops accepting connections, finishes in-flight requests (up to 10 s), exits 0;
 *   - exits by itself when the IPC channel to its parent closes (the parent died).
 */
export interface ReplicaReadyMessage {
  type: 'ready';
  port: number;
}

export function isReplicaReadyMessage(message: unknown): message is ReplicaReadyMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'ready' &&
    typeof (message as { port?: unknown }).port === 'number'
  );
}

export interface ReplicaInfo {
  service: ServiceName;
  /** "catalog-2" */
  id: string;
  pid: number;
  /** the replica's own port (its balancer forwards to it) */
  port: number;
  state: 'starting' | 'ready' | 'draining' | 'stopped';
  startedAt: number;
  readyAt?: number;
  /** declared CPU request, millicores */
  cpuRequestMillicores: number;
}

/**
 * What the autoscaler (and `peakready scale watch`) needs from a running stack. The local
 * supervisor implements it; the Kubernetes watcher records the same timeline without it.
 */
export interface ReplicaController {
  replicas(service: ServiceName): readonly ReplicaInfo[];
  /**
   * Scales a service to `count` replicas: new ones are started and join the balancer when ready;
   * removed ones leave the balancer first and are drained, so no in-flight request fails.
   * Resolves when the change is made (not when new replicas are ready).
   */
  setReplicas(service: ServiceName, count: number): Promise<void>;
}

/**
 * `.peakready/stack.json` while a stack runs: how `status`, `down`, `scale watch`, the scraper and
 * the drill find it. Written by the supervisor on every change.
 */
export interface StackState {
  supervisorPid: number;
  startedAt: number;
  basePort: number;
  gatewayUrl: string;
  /** the fault proxy API the stack's edges go through (embedded or external) */
  toxiproxyUrl?: string;
  otlpUrl?: string;
  /** Debian's Prometheus scraping every replica (`up --prometheus`) */
  prometheusUrl?: string;
  databaseUrl: string;
  /** the embedded database's process (none with an external database) */
  databasePid?: number;
  runDir?: string;
  services: Array<{
    name: ServiceName;
    port: number;
    replicas: ReplicaInfo[];
  }>;
}
