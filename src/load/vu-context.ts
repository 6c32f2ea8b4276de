import type { CompiledCapture } from '../readback/contract.js';
import type { RequestRecord } from '../run/records.js';
import { VuEventLoop } from './event-loop.js';
import type { SampleSink, Tags } from './metrics/types.js';
import type { ScriptConsole } from './script/console.js';
import type { SecretSources } from './secret-sources.js';
import type { HostsMap } from './modules/hosts.js';

/**
 * What one VU's k6 modules see. Modules are instantiated per VU (as in k6, where each VU has its
 * own JS runtime), so per-VU state — group path, cookie jar, iteration — lives here and never
 * leaks between VUs that interleave on one thread.
 */

/** State shared by every VU of one instance on a load worker (VU 0 of the first worker has its own for the init context and the hooks). */
export interface InstanceContext {
  sink: SampleSink;
  /** options.tags, applied to every sample */
  globalTags: Tags;
  /** the script's directory, for open() */
  scriptDir: string;
  env: Record<string, string>;
  allowRemote: boolean;
  /** options the http module honours */
  httpDefaults: HttpDefaults;
  /** null when no run directory was given */
  recordRequest: ((record: RequestRecord) => void) | null;
  /** the creates whose records carry a capture (read-back contract); empty for most runs */
  captures: CompiledCapture[];
  /** test.abort(): stops the whole test with exit code 108 */
  abortTest(reason: string): void;
  /** SharedArray's one copy per instance, by name */
  sharedArrays: Map<string, readonly unknown[]>;
  /** counts for k6/execution's `instance` object */
  instance: { iterationsCompleted: number; iterationsInterrupted: number; vusActive: number; vusInitialized: number; startedAt: number };
  /** epoch ms the test started (k6/execution's currentTestRunDuration) */
  testStartedAt: number;
  /** the consolidated options (k6/execution's test.options) */
  options: unknown;
  /** --secret-source: what k6/secrets reads */
  secrets: SecretSources;
  /** exec.test.fail(): the run ends normally but exits 110 */
  markFailed(reason: string): void;
  /** the script's `console` (script/console.ts): stderr, k6's log lines */
  console: ScriptConsole;
}

/** `--http-debug` / the `httpDebug` option: '' off, `headers`, or `full` (with bodies). */
export type HttpDebug = '' | 'headers' | 'full';

export interface HttpDefaults {
  noConnectionReuse: boolean;
  discardResponseBodies: boolean;
  maxRedirects: number;
  userAgent: string;
  insecureSkipTLSVerify: boolean;
  /** `--http-debug`: '' off, `headers`, or `full` (with bodies) to stderr */
  httpDebug: HttpDebug;
  /** k6's `hosts` option: DNS overrides (modules/hosts.ts) */
  hosts?: HostsMap;
}

/** The scenario an iteration belongs to, as k6/execution shows it. */
export interface ScenarioInfo {
  name: string;
  executor: string;
  /** epoch ms the scenario started */
  startTime: number;
  /** scenario tags (with `scenario` itself) merged over the global ones */
  tags: Tags;
  /** iteration counter of this instance in this scenario */
  iterationInInstance: number;
  /** iteration number across the test (segment-spaced so instances never collide) */
  iterationInTest: number;
  /** arrival-rate iterations: when the iteration was meant to start (performance.now() ms) */
  intendedStart?: number;
  /** performance.now() when the iteration really started */
  actualStart: number;
  progress(): number;
}

export class VuContext {
  /** `::a::b` for nested groups, '' at the root, as k6 tags them */
  groupPath = '';
  /** true while the script's init code runs for this VU (k6's init context: files load, network calls are refused) */
  inInitContext = false;
  iteration = -1;
  scenario: ScenarioInfo | undefined;
  /** aborted when the current iteration must stop (gracefulStop elapsed, test aborted) */
  signal: AbortSignal = new AbortController().signal;
  /** its timers and pending async operations: an iteration ends when they have run out */
  readonly loop = new VuEventLoop();
  /** set by the script factory: updates the module's __ITER */
  setIter: (i: number) => void = () => {};
  /** per-VU tags set by the script (exec.vu.tags) */
  readonly vuTags: Record<string, string> = {};
  readonly metadata: Record<string, string> = {};
  responseCallback: ((res: { status: number }) => boolean) | null | undefined = undefined;
  /** the http module's tag objects, by URL (http.ts requestTags) */
  readonly requestTags = new Map<string, { scenario: ScenarioInfo | undefined; group: string; method: string; name: string; status: number; expected: boolean | undefined; tags: Record<string, string> }>();
  /** this VU's __ENV: the run's env plus its current scenario's `env` */
  readonly env: Record<string, string>;
  private envScenario: string | undefined;

  constructor(
    readonly id: number,
    readonly idInInstance: number,
    readonly instance: InstanceContext,
  ) {
    this.env = { ...instance.env };
  }

  /** Switches __ENV to a scenario's view (k6: scenario env over the run's env). */
  useScenarioEnv(name: string, scenarioEnv: Record<string, string>): void {
    if (this.envScenario === name) return;
    this.envScenario = name;
    for (const key of Object.keys(this.env)) delete this.env[key];
    Object.assign(this.env, this.instance.env, scenarioEnv);
  }

  /** Tags every sample of this VU carries now: global, scenario, VU and group. */
  tags(extra?: Record<string, string>): Record<string, string> {
    const tags: Record<string, string> = { ...this.instance.globalTags, ...this.scenario?.tags, ...this.vuTags, group: this.groupPath };
    if (extra) Object.assign(tags, extra);
    return tags;
  }

  emit(metric: string, value: number, tags: Tags, time = Date.now()): void {
    const sink = this.instance.sink;
    if (sink.addValue) sink.addValue(metric, value, tags, time);
    else sink.add({ metric, value, tags, time });
  }
}

/** Thrown into an iteration when it must stop; never reported as a script error. */
export class IterationInterrupted extends Error {
  constructor(reason = 'iteration interrupted') {
    super(reason);
    this.name = 'IterationInterrupted';
  }
}

/** k6's fail(): ends the iteration with a message. */
export class ScriptFail extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptFail';
  }
}

/** test.abort() */
export class TestAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestAborted';
  }
}
