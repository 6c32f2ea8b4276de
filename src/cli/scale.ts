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
  metricWindow: string;
  cpuInitializationPeriod: string;
  initialReadinessDelay: string;
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
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx peakready scale simulate --hpa reference-stack/k8s/catalog.yaml --metrics cpu.csv\n' +
        '  $ npx peakready scale import --prometheus http://prometheus:9090 --namespace shop --workload catalog \\\n' +
        '      --from 2025-11-28T06:00:00Z --to 2025-11-28T18:00:00Z --out black-friday-pods.csv\n',
    );
  registerSimulate(scale);
  registerImport(scale);
  registerWatch(scale);
}

function registerSimulate(scale: Command): void {
  scale
    .command('simulate')
    .description('replay a metric series through an autoscaling/v2 HPA manifest: the replicas Kubernetes would run over time')
    .requiredOption('--hpa <file>', 'HPA manifest (YAML, may hold several documents: Deployment, Service, HPA, PDB)')
    .requiredOption(
      '--metrics <file>',
      'metric series: CSV or JSON with time and <metric> (per-pod average) or <metric>_total columns; a per-pod file (time,pod,metric,value,… columns, e.g. from scale import); or a peakready run (its directory, or its metrics.ndjson[.gz])',
    )
    .option('--name <name>', 'the HPA to use when the file holds several')
    .option('--service <name>', "with a run as --metrics: whose CPU samples to replay (default: the HPA's scale target)")
    .option('--sync-period <duration>', 'controller sync period (15s; a bare number is seconds)', '15s')
    .option('--initial-replicas <n>', 'replicas at the start (default: minReplicas)')
    .option('--cpu-request <quantity>', "pod CPU request for cpu_total columns (default: the Deployment's in the same file)")
    .option('--pod-startup <duration>', 'a new pod is Pending for this long: unready (0 % on scale-up, as Kubernetes); not for a per-pod file', '0s')
    .option('--metric-window <duration>', "per-pod file: how long a value was measured over when its row has no window (metrics-server's resolution)", '15s')
    .option('--cpu-initialization-period <duration>', 'per-pod file: --horizontal-pod-autoscaler-cpu-initialization-period of the controller', '5m')
    .option('--initial-readiness-delay <duration>', 'per-pod file: --horizontal-pod-autoscaler-initial-readiness-delay of the controller', '30s')
    .option('--tail <duration>', 'keep syncing this long after the last sample', '0s')
    .option('--tolerance <ratio>', 'controller tolerance (--horizontal-pod-autoscaler-tolerance)')
    .option('--nil-behavior <path>', "HPA without behavior: 'documented' defaults, or the 'controller' code path (max(2x, 4) per sync)", 'documented')
    .option('--all', 'print every sync, not only changes')
    .option('--json', 'print the decisions as JSON')
    .addHelpText(
      'after',
      '\nMetric file (CSV):\n  time,cpu\n  0,40\n  1m,95\n  5m,30\n\ncpu is the average utilisation per pod (% of request), replayed as-is; add a replicas\ncolumn (pods that measured it) or use cpu_total (e.g. "2400m", the whole workload\'s usage)\nto spread the load over the replicas the simulation runs.\n' +
        '\nPer-pod file (CSV, one row per pod and time; `scale import` writes it from Prometheus):\n' +
        '  time,pod,metric,value,ready,phase,start,request\n  0,catalog-a,cpu,150m,true,Running,-10m,200m\n  0,catalog-b,cpu,,false,Running,-20s,200m\n  0,catalog-c,cpu,,,Pending,,200m\n' +
        '\nEach time is a snapshot of the workload\'s pods; the replay shows what the HPA would ask for at each\n' +
        'sync given exactly those pods (missing metrics, unready pods, the CPU initialization period), and\n' +
        'where that differs from the pods the next snapshot shows. Example:\n' +
        '  $ npx peakready scale simulate --hpa reference-stack/k8s/catalog.yaml --metrics black-friday-pods.csv\n',
    )
    .action(simulateCommand);
}

interface ImportFlags {
  prometheus: string;
  namespace: string;
  workload: string;
  container?: string;
  from: string;
  to: string;
  step: string;
  scrapeInterval: string;
  out?: string;
}

function registerImport(scale: Command): void {
  scale
    .command('import')
    .description("a workload's pods as its cluster's Prometheus saw them (CPU per pod, Ready, phase, start, request) → a per-pod metric file for scale simulate")
    .requiredOption('--prometheus <url>', 'the Prometheus that scrapes cAdvisor and kube-state-metrics (its root URL)')
    .requiredOption('--namespace <ns>', "the workload's namespace")
    .requiredOption('--workload <deployment>', 'the Deployment: its pods are named <deployment>-…')
    .option('--container <name>', "only this container's CPU and request (a ContainerResource metric); default: the whole pod")
    .requiredOption('--from <time>', 'start: an ISO timestamp (2025-11-28T06:00:00Z) or now-<duration> (now-2h)')
    .option('--to <time>', 'end, as --from', 'now')
    .option('--step <duration>', 'one snapshot of the pods per step (the HPA sync period)', '15s')
    .option('--scrape-interval <duration>', 'how often Prometheus scrapes cAdvisor and kube-state-metrics (the rate window)', '15s')
    .option('--out <file>', 'write the file here (default: standard output)')
    .addHelpText(
      'after',
      '\nExample: last Black Friday, then replayed through the HPA you plan for this year:\n' +
        '  $ npx peakready scale import --prometheus http://prometheus:9090 --namespace shop --workload catalog \\\n' +
        '      --from 2025-11-28T06:00:00Z --to 2025-11-28T18:00:00Z --out bf-2025.csv\n' +
        '  $ npx peakready scale simulate --hpa k8s/catalog-hpa.yaml --metrics bf-2025.csv\n',
    )
    .action(importCommand);
}

/** An instant a user names: an ISO timestamp, "now", or now-<duration>. */
function parseInstant(value: string, flag: string): number {
  const text = value.trim();
  const now = Date.now();
  if (text === 'now') return now;
  const ago = /^now-(.+)$/.exec(text);
  if (ago) return now - parseFlagDuration(ago[1]!, flag);
  const ms = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: "${value}" is not a time; write an ISO timestamp (2025-11-28T06:00:00Z) or now-2h`);
  return ms;
}

async function importCommand(flags: ImportFlags): Promise<void> {
  const { importPodSeries } = await import('../scaling/prometheus-import.js');
  const { writeFileSync } = await import('node:fs');
  const result = await importPodSeries({
    prometheusUrl: flags.prometheus,
    namespace: flags.namespace,
    workload: flags.workload,
    ...(flags.container !== undefined ? { container: flags.container } : {}),
    from: parseInstant(flags.from, '--from'),
    to: parseInstant(flags.to, '--to'),
    stepMs: parseFlagDuration(flags.step, '--step'),
    scrapeIntervalMs: parseFlagDuration(flags.scrapeInterval, '--scrape-interval'),
  });
  if (!flags.out) {
    process.stdout.write(result.csv);
    return;
  }
  writeFileSync(flags.out, result.csv);
  process.stderr.write(
    `wrote ${flags.out}: ${result.rows} rows, ${result.pods} pods over ${result.steps} steps\n` +
      `replay it: peakready scale simulate --hpa <your HPA manifest> --metrics ${flags.out}\n`,
  );
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
  const { loadMetricFile } = await import('../scaling/metric-series.js');
  const { simulate } = await import('../scaling/simulate.js');
  const { replayPods } = await import('../scaling/pod-replay.js');
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
  const syncPeriodMs = parseFlagDuration(flags.syncPeriod, '--sync-period');
  if (syncPeriodMs <= 0) throw new UsageError('--sync-period must be positive, e.g. 15s');
  let cpuRequest = loaded.podCpuRequestMilli;
  if (flags.cpuRequest !== undefined) {
    cpuRequest = parseQuantityMilli(flags.cpuRequest);
    if (cpuRequest === undefined || cpuRequest <= 0) throw new UsageError(`--cpu-request: "${flags.cpuRequest}" is not a CPU quantity; write it like 250m`);
  }
  spec.cpuInitializationPeriodMs = parseFlagDuration(flags.cpuInitializationPeriod, '--cpu-initialization-period');
  spec.initialReadinessDelayMs = parseFlagDuration(flags.initialReadinessDelay, '--initial-readiness-delay');
  const requestMilli: Record<string, number> = cpuRequest !== undefined ? { cpu: cpuRequest } : {};
  const service = flags.service ?? loaded.manifest.spec.scaleTargetRef.name;
  const metrics = loadMetricFile(flags.metrics, spec, service, { requestMilli, metricWindowMs: parseFlagDuration(flags.metricWindow, '--metric-window') });
  const tailMs = parseFlagDuration(flags.tail, '--tail');
  let steps;
  if (metrics.form === 'pods') {
    if (flags.initialReplicas !== undefined) throw new UsageError('--initial-replicas: a per-pod file starts with the pods of its first time; leave the flag out');
    steps = replayPods(spec, metrics.series, { syncPeriodMs, tailMs });
  } else {
    const initial = flags.initialReplicas === undefined ? Math.max(1, spec.minReplicas) : Number(flags.initialReplicas);
    if (!Number.isInteger(initial) || initial < 0) throw new UsageError(`--initial-replicas: "${flags.initialReplicas}" is not a replica count`);
    steps = simulate(spec, metrics.series, { syncPeriodMs, initialReplicas: initial, requestMilli, podStartupMs: parseFlagDuration(flags.podStartup, '--pod-startup'), tailMs });
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify({ hpa: spec, steps }, null, 2) + '\n');
    return;
  }
  const width = Math.max(20, Math.min(100, (process.stdout.columns ?? 80) - 20));
  const averagesReplayedAsIs =
    metrics.form === 'series' && metrics.series.points.some((p) => p.replicas === undefined && Object.values(p.values).some((v) => v?.kind === 'average'));
  process.stdout.write(formatSimulation(spec, steps, { all: flags.all, width, averagesReplayedAsIs, replay: metrics.form === 'pods' }).join('\n') + '\n');
}
