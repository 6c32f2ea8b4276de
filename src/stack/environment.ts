import {
  proxiedUpstreams,
  proxyPort,
  servicePort,
  upstreamEnvVar,
  type ServiceDefinition,
  type StackDefinition,
  type UpstreamName,
} from './definition.js';

/**
 * Pure wiring of the local stack: where each edge points and what each replica's environment
 * holds (the contract in contract.ts). No sockets, no processes: the supervisor calls these.
 */

export interface EdgeWiring {
  /** true: every edge goes through its named fault proxy; false: straight to the balancer / database */
  proxied: boolean;
  /** the database the stack uses (embedded PGlite or the user's PostgreSQL), as reached directly */
  databaseUrl: string;
}

/** `<UPSTREAM>` -> the URL callers use for it. */
export function upstreamUrls(def: StackDefinition, wiring: EdgeWiring): Record<UpstreamName, string> {
  const out = {} as Record<UpstreamName, string>;
  for (const upstream of proxiedUpstreams(def)) {
    if (upstream === 'postgres') {
      out.postgres = wiring.proxied ? withHostPort(wiring.databaseUrl, '127.0.0.1', proxyPort(def, 'postgres')) : wiring.databaseUrl;
    } else {
      out[upstream] = `http://127.0.0.1:${wiring.proxied ? proxyPort(def, upstream) : servicePort(def, upstream)}`;
    }
  }
  return out;
}

/** host:port of a postgres:// URL (the fault proxy's upstream for the `postgres` edge). */
export function databaseHostPort(databaseUrl: string): { host: string; port: number } {
  const url = new URL(databaseUrl);
  return { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(url.port || 5432) };
}

export function withHostPort(databaseUrl: string, host: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = host;
  url.port = String(port);
  return url.toString();
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db, for messages and stack.json. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export interface ReplicaEnvironmentInput {
  service: ServiceDefinition;
  replicaId: string;
  urls: Record<UpstreamName, string>;
  /** OTLP base URL, or false for OTEL_SDK_DISABLED=true */
  otlpEndpoint: string | false;
  /** the supervisor's own environment (the user's overrides of service defaults) */
  inherited: NodeJS.ProcessEnv;
  /** StartStackOptions.env: extra variables for every service */
  extra?: Readonly<Record<string, string>>;
}

/**
 * A replica's environment. Precedence, lowest first: the service's defaults from the definition,
 * the user's environment, StartStackOptions.env, then the contract variables (which the
 * supervisor owns: a stray DATABASE_URL or PORT in the user's shell must not rewire the stack).
 */
export function replicaEnvironment(input: ReplicaEnvironmentInput): NodeJS.ProcessEnv {
  const { service } = input;
  const env: NodeJS.ProcessEnv = { ...service.env, ...withoutContractVars(input.inherited), ...input.extra };
  env.SERVICE_NAME = service.name;
  env.REPLICA_ID = input.replicaId;
  env.PORT = '0';
  env.HOST = '127.0.0.1';
  env.OTEL_SERVICE_NAME = service.name;
  env.CPU_REQUEST_MILLICORES = String(service.resources.requests.cpuMillicores);
  env.LOG_LEVEL = input.extra?.LOG_LEVEL ?? input.inherited.LOG_LEVEL ?? 'info';
  for (const upstream of service.dependsOn) env[upstreamEnvVar(upstream)] = input.urls[upstream];
  if (service.schema) {
    env.DATABASE_URL = input.urls.postgres;
    env.DB_SCHEMA = service.schema;
  }
  if (input.otlpEndpoint === false) {
    env.OTEL_SDK_DISABLED = 'true';
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  } else {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = input.otlpEndpoint;
    delete env.OTEL_SDK_DISABLED;
  }
  return env;
}

const CONTRACT_VARS = /^(SERVICE_NAME|REPLICA_ID|PORT|HOST|DATABASE_URL|DB_SCHEMA|OTEL_SERVICE_NAME|CPU_REQUEST_MILLICORES|[A-Z]+_URL)$/;

function withoutContractVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!CONTRACT_VARS.test(name)) out[name] = value;
  return out;
}
