import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseFlagDuration } from '../util/duration.js';
import { parseQuantityMilli } from '../scaling/quantity.js';

interface SimulateFlags {
  hpa: string;
  metrics: string;
  name?: string;
  service?: string;
  syncPeriod: string;
  initialReplicas?: string;
  cpuRequest?: string;
  podStartup: string;
  tail: string;
  tolerance?: string;
  nilBehavior: string;
  all?: boolean;
  json?: boolean;
}

export function registerScale(program: Command): void {
  const scale = program
    .command('scale')
    .description('replay metrics through the Kubernetes HPA algorithm, or watch replicas live')
    .addHelpText('after', '\nExample:\n  $ npx peakready scale simulate --hpa reference-stack/k8s/catalog.yaml --metrics cpu.csv\n');
  registerSimulate(scale);
  registerWatch(scale);
}

function registerSimulate(scale: Command): void {
  scale
    .command('simulate')
    .description('replay a metric series through an autoscaling/v2 HPA manifest: the replicas Kubernetes would run over time')
    .requiredOption('--hpa <file>', 'HPA manifest (YAML, may hold several documents: Deployment, Service, HPA, PDB)')
    .requiredOption('--metrics <file>', 'metric series: CSV or JSON with time and <metric> (per-pod average) or <metric>_total columns; or a peakready run (its directory, or its metrics.ndjson[.gz])')
    .option('--name <name>', 'the HPA to use when the file holds several')
    .option('--service <name>', "with a run as --metrics: whose CPU samples to replay (default: the HPA's scale target)")
    .option('--sync-period <duration>', 'controller sync period (15s; a bare number is seconds)', '15s')
    .option('--initial-replicas <n>', 'replicas at the start (default: minReplicas)')
    .option('--cpu-request <quantity>', "pod CPU request for cpu_total columns (default: the Deployment's in the same file)")
    .option('--pod-startup <duration>', 'a new pod is unready for this long (0 % on scale-up, as Kubernetes)', '0s')
    .option('--tail <duration>', 'keep syncing this long after the last sample', '0s')
    .option('--tolerance <ratio>', 'controller tolerance (--horizontal-pod-autoscaler-tolerance)')
    .option('--nil-behavior <path>', "HPA without behavior: 'documented' defaults, or the 'controller' code path (max(2x, 4) per sync)", 'documented')
    .option('--all', 'print every sync, not only changes')
    .option('--json', 'print the decisions as JSON')
    .addHelpText(
      'after',
      '\nMetric file (CSV):\n  time,cpu\n  0,40\n  1m,95\n  5m,30\n\ncpu is the average utilisation per pod (% of request), replayed as-is; add a replicas\ncolumn (pods that measured it) or use cpu_total (e.g. "2400m", the whole workload\'s usage)\nto spread the load over the replicas the simulation runs.\n\nExamples:\n  $ npx peakready scale simulate --hpa reference-stack/k8s/catalog.yaml --metrics cpu.csv\n  $ npx peakready scale simulate --hpa reference-stack/k8s/checkout.yaml --metrics .peakready/runs/<id> --sync-period 15s --json\n',
    )
    .action(simulateCommand);
}

function registerWatch(scale: Command): void {
  scale
    .command('watch')
    .description('live table of replicas per service (current/ready/desired, CPU utilisation) during a run')
    .option('--interval <duration>', 'refresh interval', '1s')
    .option('--run <id>', "run directory to read decisions from (default: the stack's run, else the newest); with a cluster: where to record")
    .option('--kube-context <name>', 'watch a Kubernetes cluster instead: the kubeconfig context')
    .option('--namespace <ns>', 'the namespace whose HPAs and Deployments to watch (default: the context\'s, else "default")')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready scale watch                                   the local stack's autoscaler
  $ npx peakready scale watch --interval 2s --run <id>
  $ npx peakready scale watch --kube-context staging --namespace shop`,
    )
    .action(async (flags: { interval: string; run?: string; kubeContext?: string; namespace?: string; kubeconfig?: string }) => {
      const { watchReplicas } = await import('../scaling/replica-watch.js');
      if (flags.kubeContext || flags.namespace || flags.kubeconfig) {
        // loaded on demand: the Kubernetes client costs ~0.35 s at every CLI start otherwise
        const { watchCluster } = await import('../scaling/cluster-watch.js');
        await watchCluster({ kubeconfig: flags.kubeconfig, context: flags.kubeContext, namespace: flags.namespace, run: flags.run, out: process.stdout });
        return;
      }
      const intervalMs = parseFlagDuration(flags.interval, '--interval');
      if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
      await watchReplicas({ intervalMs, run: flags.run, out: process.stdout });
    });
}

/** Replays the series through the HPA and prints the decisions (a table and chart, or JSON). */
async function simulateCommand(flags: SimulateFlags): Promise<void> {
  const { loadHpaFile } = await import('../scaling/hpa-manifest.js');
  const { loadMetricSeries } = await import('../scaling/metric-series.js');
  const { simulate } = await import('../scaling/simulate.js');
  const { formatSimulation } = await import('../scaling/simulate-format.js');
  const loaded = loadHpaFile(flags.hpa, flags.name);
  const spec = { ...loaded.spec };
  if (flags.tolerance !== undefined) {
    const t = Number(flags.tolerance);
    if (!Number.isFinite(t) || t < 0) throw new UsageError(`--tolerance: "${flags.tolerance}" is not a ratio; write it like 0.1`);
    spec.tolerance = t;
  }
  if (flags.nilBehavior !== 'documented' && flags.nilBehavior !== 'controller') {
    throw new UsageError(`--nil-behavior: "${flags.nilBehavior}" is not documented or controller`);
  }
  if (!loaded.behaviorGiven) spec.nilBehavior = flags.nilBehavior;
  const series = loadMetricSeries(flags.metrics, spec, flags.service ?? loaded.manifest.spec.scaleTargetRef.name);
  const syncPeriodMs = parseFlagDuration(flags.syncPeriod, '--sync-period');
  if (syncPeriodMs <= 0) throw new UsageError('--sync-period must be positive, e.g. 15s');
  const initial = flags.initialReplicas === undefined ? Math.max(1, spec.minReplicas) : Number(flags.initialReplicas);
  if (!Number.isInteger(initial) || initial < 0) throw new UsageError(`--initial-replicas: "${flags.initialReplicas}" is not a replica count`);
  let cpuRequest = loaded.podCpuRequestMilli;
  if (flags.cpuRequest !== undefined) {
    cpuRequest = parseQuantityMilli(flags.cpuRequest);
    if (cpuRequest === undefined || cpuRequest <= 0) throw new UsageError(`--cpu-request: "${flags.cpuRequest}" is not a CPU quantity; write it like 250m`);
  }
  const steps = simulate(spec, series, {
    syncPeriodMs,
    initialReplicas: initial,
    requestMilli: cpuRequest !== undefined ? { cpu: cpuRequest } : {},
    podStartupMs: parseFlagDuration(flags.podStartup, '--pod-startup'),
    tailMs: parseFlagDuration(flags.tail, '--tail'),
  });
  if (flags.json) {
    process.stdout.write(JSON.stringify({ hpa: spec, steps }, null, 2) + '\n');
    return;
  }
  const width = Math.max(20, Math.min(100, (process.stdout.columns ?? 80) - 20));
  const averagesReplayedAsIs = series.points.some((p) => p.replicas === undefined && Object.values(p.values).some((v) => v?.kind === 'average'));
  process.stdout.write(formatSimulation(spec, steps, { all: flags.all, width, averagesReplayedAsIs }).join('\n') + '\n');
}
