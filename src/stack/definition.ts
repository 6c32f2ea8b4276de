/**
 * THE stack definition: the one description of the reference commerce stack. The local
 * supervisor starts processes from it, the fault proxy puts a named proxy in front of every
 * dependency from it, and `reference-stack/k8s/` is rendered from it, so the local stack and the
 * manifests cannot disagree about services, ports or dependencies.
 */

export const SERVICE_NAMES = [
  'gateway',
  'catalog',
  'search',
  'cart',
  'checkout',
  'payments',
  'inventory',
  'orders',
  'recommendations',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Anything a service can depend on: another service, or the database. */
export type UpstreamName = ServiceName | 'postgres';

export interface Resources {
  /** Kubernetes CPU in millicores (250 = "250m") */
  cpuMillicores: number;
  memoryMiB: number;
}

/** autoscaling/v2 HorizontalPodAutoscaler on CPU utilisation, as in the seed article. */
export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercent: number;
}

export interface ServiceDefinition {
  name: ServiceName;
  description: string;
  /** offset from the stack's base port: where the service (its balancer, or its k8s Service) listens */
  portOffset: number;
  /** what it calls; each edge is reached through `<UPSTREAM>_URL` (see `upstreamEnvVar`) */
  dependsOn: readonly UpstreamName[];
  /** the database schema this service owns, if any (one schema per owning service) */
  schema?: string;
  resources: { requests: Resources; limits: Resources };
  /** the HPA rendered into the manifests (min 3, max 50, 60 % CPU as in the article) */
  hpa?: HpaSpec;
  /**
   * The local stack on one small machine: replicas at start and the autoscaler's bounds. The HPA
   * algorithm is the same; only the bounds fit 2 cores instead of a cluster.
   */
  local: { replicas: number; minReplicas: number; maxReplicas: number };
  /** service-specific environment defaults (overridable by the user's environment) */
  env: Readonly<Record<string, string>>;
  /** the process entry point: relative to the package root without extension (built into dist/), or an absolute path to a built file */
  entry: string;
  /** exposed to users (the gateway); everything else is internal */
  public?: boolean;
}

export interface StackDefinition {
  name: string;
  basePort: number;
  services: readonly ServiceDefinition[];
  database: { name: 'postgres'; portOffset: number; entry: string; database: string; user: string };
  /** offsets of the stack's own admin endpoints */
  admin: { faultProxyApiOffset: number; otlpOffset: number; supervisorMetricsOffset: number; prometheusOffset: number; proxyPortOffset: number };
}

export const DEFAULT_BASE_PORT = 7100;

const HPA: HpaSpec = { minReplicas: 3, maxReplicas: 50, targetCPUUtilizationPercent: 60 };
const small = (cpu: number, mem: number) => ({
  requests: { cpuMillicores: cpu, memoryMiB: mem },
  limits: { cpuMillicores: cpu * 2, memoryMiB: mem * 2 },
});

function service(
  name: ServiceName,
  portOffset: number,
  description: string,
  dependsOn: readonly UpstreamName[],
  extra: Partial<ServiceDefinition> = {},
): ServiceDefinition {
  return {
    name,
    description,
    portOffset,
    dependsOn,
    resources: small(200, 128),
    hpa: HPA,
    local: { replicas: 1, minReplicas: 1, maxReplicas: 6 },
    env: {},
    entry: `reference-stack/services/${name}/main`,
    ...extra,
  };
}

/** The reference commerce stack. `basePort` moves every port at once (tests run stacks side by side). */
export function referenceStack(basePort: number = DEFAULT_BASE_PORT): StackDefinition {
  return {
    name: 'peakready-reference',
    basePort,
    services: [
      service('gateway', 0, 'API entry: routing, auth, timeouts, circuit breakers, rate limit', [
        'catalog',
        'search',
        'cart',
        'checkout',
        'orders',
        'recommendations',
      ], { public: true, resources: small(250, 128) }),
      service('catalog', 1, 'Products: paged listing with filters, product details (CPU-bound)', [], {
        resources: small(200, 192),
      }),
      service('search', 2, 'Full-text search and ranking over the catalog (CPU-bound)', [], { resources: small(200, 192) }),
      service('cart', 3, 'Carts per cart id, stored in its own schema', ['catalog', 'postgres'], { schema: 'cart' }),
      service('checkout', 4, 'Checkout: cart -> stock reservation -> payment -> order, idempotent by key', [
        'cart',
        'inventory',
        'payments',
        'orders',
      ]),
      service('payments', 5, 'Simulated payment provider with configurable latency and failure rate; charges stored once per key', ['postgres'], {
        schema: 'payments',
        env: { PAYMENTS_LATENCY_MS: '20', PAYMENTS_JITTER_MS: '10', PAYMENTS_FAILURE_RATE: '0' },
      }),
      service('inventory', 6, 'Stock and atomic reservations; never oversold', ['postgres'], { schema: 'inventory' }),
      service('orders', 7, 'Orders, stored exactly once per idempotency key', ['postgres'], { schema: 'orders' }),
      service('recommendations', 8, 'Related products; optional on every path', []),
    ],
    database: { name: 'postgres', portOffset: 9, entry: 'reference-stack/pglite/main', database: 'postgres', user: 'postgres' },
    admin: { faultProxyApiOffset: 300, otlpOffset: 301, supervisorMetricsOffset: 302, prometheusOffset: 303, proxyPortOffset: 100 },
  };
}

export function servicePort(stack: StackDefinition, name: ServiceName): number {
  return stack.basePort + getService(stack, name).portOffset;
}

export function databasePort(stack: StackDefinition): number {
  return stack.basePort + stack.database.portOffset;
}

/** The listen port of the fault proxy in front of an upstream. */
export function proxyPort(stack: StackDefinition, upstream: UpstreamName): number {
  const offset = upstream === 'postgres' ? stack.database.portOffset : getService(stack, upstream).portOffset;
  return stack.basePort + stack.admin.proxyPortOffset + offset;
}

export function getService(stack: StackDefinition, name: string): ServiceDefinition {
  const found = stack.services.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service "${name}"; the stack has ${stack.services.map((s) => s.name).join(', ')}`);
  return found;
}

/** `recommendations` -> `RECOMMENDATIONS_URL`; `postgres` -> `DATABASE_URL` */
export function upstreamEnvVar(upstream: UpstreamName): string {
  return upstream === 'postgres' ? 'DATABASE_URL' : `${upstream.toUpperCase()}_URL`;
}

/** Every upstream that has at least one caller: each gets one named fault proxy. */
export function proxiedUpstreams(stack: StackDefinition): UpstreamName[] {
  const names = new Set<UpstreamName>();
  for (const s of stack.services) for (const d of s.dependsOn) names.add(d);
  return [...names].sort();
}

/** Every edge of the stack, caller -> upstream. */
export function edges(stack: StackDefinition): Array<{ from: ServiceName; to: UpstreamName }> {
  return stack.services.flatMap((s) => s.dependsOn.map((to) => ({ from: s.name, to })));
}
