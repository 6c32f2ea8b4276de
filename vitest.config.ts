import { defineConfig } from 'vitest/config';

/**
 * Two lanes. `unit` (`npm run test:unit`, seconds): pure functions and in-memory data, no process,
 * thread or socket — test/support/unit-guard.ts refuses them, so a test that needs one fails there
 * with a message naming this list. `integration`: real processes, sockets, PostgreSQL, Prometheus,
 * Chromium and the whole drill. `npm test` (and plain `vitest run`) runs both.
 */
const integration = [
  'test/**/*.test.ts',
  'reference-stack/stack.*.test.ts',
  'src/budgets/generated.test.ts',
  'src/cli/main.test.ts',
  'src/cli/run-cli.test.ts',
  'src/cli/run-signals.test.ts',
  'src/cli/up.test.ts',
  'src/doctor/doctor.test.ts',
  'src/drill/dry-run.test.ts',
  'src/drill/evidence.test.ts',
  'src/drill/operator-dry-run.test.ts',
  'src/drill/plan-baseline.test.ts',
  'src/drill/kubernetes-scaling.test.ts',
  'src/faults/*.test.ts',
  'src/faults/experiments/probes.test.ts',
  'src/faults/experiments/runner.test.ts',
  'src/faults/experiments/signals.test.ts',
  'src/faults/toxics/toxics.test.ts',
  // the script's options are read by its init context on a load worker thread
  'src/gameday/starter.test.ts',
  'src/lifecycle/children.test.ts',
  'src/load/k6-binary.test.ts',
  'src/load/k8s-testrun.test.ts',
  'src/load/k6-operator.test.ts',
  'src/load/run.test.ts',
  'src/load/script-runtime.test.ts',
  'src/load/capture.test.ts',
  'src/load/k6-modules.test.ts',
  'src/load/digest-apache.test.ts',
  'src/readback/read-back.test.ts',
  'src/readback/sql-checks.test.ts',
  'src/load/modules/http-client.test.ts',
  'src/load/modules/grpc.test.ts',
  'src/load/modules/ws.test.ts',
  'src/report/html.test.ts',
  'src/report/report-cli.test.ts',
  'src/scaling/k8s-watcher.test.ts',
  'src/scaling/local-autoscaler.test.ts',
  'src/scaling/prometheus-evidence-real.test.ts',
  'src/scaling/prometheus-import-real.test.ts',
  'src/scaling/simulate.test.ts',
  'src/supervisor/**/*.test.ts',
  'src/telemetry/stack-telemetry.test.ts',
  'src/telemetry/rig/cpu-wait-machine.test.ts',
  'src/telemetry/dashboards/dashboards.test.ts',
  'src/telemetry/metrics/metrics.test.ts',
  'src/telemetry/otlp/forwarder.test.ts',
  'src/telemetry/otlp/receiver.test.ts',
  'src/telemetry/traces/run-report.test.ts',
  'src/telemetry/traces/backends/fetch-traces.test.ts',
];
const all = ['src/**/*.test.ts', 'reference-stack/**/*.test.ts', 'test/**/*.test.ts'];

// Integration tests start real processes and sockets; two forks match the two cores here.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: all, exclude: integration, setupFiles: ['test/support/environment.ts', 'test/support/unit-guard.ts'] } },
      { extends: true, test: { name: 'integration', include: integration, setupFiles: ['test/support/environment.ts'] } },
    ],
  },
});
