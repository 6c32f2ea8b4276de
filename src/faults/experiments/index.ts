/**
 * Chaos experiments: the YAML format (schema.ts), loading (load.ts), the schedule (schedule.ts,
 * pure), the runner with guaranteed rollback on an injected clock (runner.ts, timed-steps.ts,
 * session.ts, ledger.ts) and clean-up after a killed run (clear.ts).
 */
export { loadExperiment, type ChaosExperiment, type ChaosAction, type ChaosProbe } from './load.js';
export { runExperiment, type ExperimentResult, type RunExperimentOptions, type ProbeResult } from './runner.js';
export { clearOwnedFaults, inspectFaults, type ActiveFaults } from './clear.js';
export { defaultGatewayUrl, defaultToxiproxyUrl } from './targets.js';
export { OWNED_PREFIX, ledgerPath } from './ledger.js';
