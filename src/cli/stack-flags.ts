import { Option, type Command } from 'commander';
import { didYouMean, UsageError } from '../errors.js';
import { parseFlagDuration } from '../util/duration.js';
import { assertLoopbackTarget } from '../util/loopback.js';
import { parseUrlFlag } from '../util/url-flag.js';
import { SERVICE_NAMES, type ServiceName } from '../stack/definition.js';
import { DEFECT_NAMES, parseDefects } from '../stack/defects.js';
import type { StartStackOptions } from '../supervisor/supervisor.js';

/**
 * The flags that shape a local stack, shared by every command that starts one (`up`, and the
 * drill if it wants them): declared once, parsed once into StartStackOptions.
 */
export interface StackFlags {
  basePort?: string;
  replicas?: string;
  toxiproxy?: string;
  faultProxy?: boolean;
  otlpEndpoint?: string;
  tracing?: boolean;
  databaseUrl?: string;
  readyTimeout?: string;
  prometheus?: boolean;
  autoscale?: string | true;
  defect?: string[];
}

export function addStackFlags(command: Command): Command {
  return command
    .option('--base-port <port>', 'first port of the stack (services at +0..+8, database +9, fault proxies +100.., admin +300..)', '7100')
    .option('--replicas <list>', 'replicas at start, e.g. catalog=3,search=2 (default: 1 each)')
    .option('--toxiproxy <url>', 'route every edge through this Toxiproxy server instead of the embedded fault proxy')
    .option('--no-fault-proxy', 'no fault proxy: edges go straight to the services (faults cannot be injected)')
    .option('--otlp-endpoint <url>', 'OTLP/HTTP base URL the services export traces to (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else tracing off)')
    .option('--no-tracing', 'turn tracing off in every service (OTEL_SDK_DISABLED=true)')
    .addOption(new Option('--database-url <url>', 'use this PostgreSQL instead of the embedded PGlite database').env('DATABASE_URL'))
    .option('--ready-timeout <duration>', 'how long each replica may take to become ready (30s, 2m; a bare number is seconds)', '30s')
    .option('--prometheus', "also run Debian's Prometheus (/usr/bin/prometheus) scraping every replica, on base port +303, with the alerts/ rules loaded")
    .option('--autoscale [sync-period]', "scale the services as their HPAs would (Kubernetes' algorithm on measured CPU); a sync period shorter than Kubernetes' 15 s compresses every HPA period with it", false)
    .option('--defect <name>', `switch on a seeded defect (repeatable): ${DEFECT_NAMES.join(', ')}; see reference-stack/README.md`, (value: string, previous: string[] = []) => [...previous, value]);
}

export function parseBasePort(value: string | undefined): number {
  const port = Number(value ?? '7100');
  if (!Number.isInteger(port) || port < 1024 || port > 65_000) {
    throw new UsageError(`--base-port: "${value}" must be a whole number from 1024 to 65000 (the stack uses the next ~300 ports)`);
  }
  return port;
}

/** `catalog=3,search=2` -> { catalog: 3, search: 2 }, with "did you mean" for a misspelt service. */
export function parseReplicasFlag(text: string | undefined): Partial<Record<ServiceName, number>> {
  const out: Partial<Record<ServiceName, number>> = {};
  if (!text) return out;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z]+)=(\d+)$/.exec(part);
    if (!match) throw new UsageError(`--replicas: "${part}" is not service=count; write it like --replicas catalog=3,search=2`);
    const [, name, count] = match as unknown as [string, string, string];
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      const guess = didYouMean(name, SERVICE_NAMES);
      throw new UsageError(`--replicas: "${name}" is not a service${guess ? `; did you mean "${guess}"?` : ''} (services: ${SERVICE_NAMES.join(', ')})`);
    }
    const n = Number(count);
    if (n < 1 || n > 64) throw new UsageError(`--replicas: ${name}=${count} must be from 1 to 64`);
    out[name as ServiceName] = n;
  }
  return out;
}

export function stackOptionsFromFlags(flags: StackFlags, environment: NodeJS.ProcessEnv = process.env): StartStackOptions {
  if (flags.toxiproxy && flags.faultProxy === false) {
    throw new UsageError('--toxiproxy and --no-fault-proxy contradict each other; pass one of them');
  }
  if (flags.otlpEndpoint && flags.tracing === false) {
    throw new UsageError('--otlp-endpoint and --no-tracing contradict each other; pass one of them');
  }
  if (flags.toxiproxy) assertLoopbackTarget(flags.toxiproxy, false, '--toxiproxy');
  const otlp = flags.tracing === false ? false : (flags.otlpEndpoint ?? environment.OTEL_EXPORTER_OTLP_ENDPOINT ?? false);
  if (otlp) parseUrlFlag(otlp, '--otlp-endpoint', 'http://127.0.0.1:4318');
  return {
    basePort: parseBasePort(flags.basePort),
    replicas: parseReplicasFlag(flags.replicas),
    ...(flags.toxiproxy ? { toxiproxyUrl: flags.toxiproxy } : {}),
    faultProxy: flags.faultProxy !== false,
    otlpEndpoint: otlp,
    ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
    readyTimeoutMs: parseFlagDuration(flags.readyTimeout ?? '30s', '--ready-timeout'),
    ...(flags.prometheus ? { prometheus: true } : {}),
    ...(flags.defect ? { defects: parseDefects(flags.defect) } : {}),
    ...(flags.autoscale ? { autoscale: { syncPeriodMs: flags.autoscale === true ? 15_000 : parseFlagDuration(flags.autoscale, '--autoscale') } } : {}),
  };
}
