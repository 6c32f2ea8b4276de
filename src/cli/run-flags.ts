import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { SummaryMode } from '../load/engine.js';
import type { Overrides, PlainOption } from '../load/options.js';
import { durationMs } from '../util/duration.js';
import { collect, parsePairs } from './flag-values.js';

/** `peakready run`'s flags as commander gives them, and their parsing into the load room's options. */
export interface RunFlags {
  target?: string;
  vus?: string;
  duration?: string;
  iterations?: string;
  stage: string[];
  env: string[];
  includeSystemEnvVars: boolean;
  tag: string[];
  config?: string;
  summaryExport?: string;
  summaryMode: SummaryMode;
  summaryTrendStats?: string;
  summaryTimeUnit?: string;
  /** false with --no-summary */
  summary: boolean;
  /** false with --no-thresholds */
  thresholds: boolean;
  httpDebug?: string | true;
  userAgent?: string;
  discardResponseBodies?: boolean;
  /** false with --no-connection-reuse */
  connectionReuse: boolean;
  insecureSkipTlsVerify?: boolean;
  maxRedirects?: string;
  out: string[];
  secretSource: string[];
  engine: 'auto' | 'builtin' | 'k6';
  quiet?: boolean;
  chaos?: string;
  toxiproxy?: string;
  allowRemote?: boolean;
  runDir?: string | boolean;
}

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: "${value}" is not a whole number ≥ ${min}`);
  return n;
}

/** `--stage 30s:10` (repeatable, or comma-separated as k6 takes it): a ramping-vus stage each. */
export function parseStages(values: readonly string[]): Array<{ duration: string; target: number }> {
  return values
    .flatMap((v) => v.split(','))
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => {
      const m = /^([^:]+):(\d+)$/.exec(text);
      if (!m || durationMs(m[1]!) === undefined) throw new UsageError(`--stage "${text}": write it as DURATION:TARGET, e.g. --stage 30s:10 --stage 1m:50`);
      return { duration: m[1]!, target: Number(m[2]) };
    });
}

export function runOverrides(flags: RunFlags, config?: Record<string, unknown>): Overrides {
  const options: Partial<Record<PlainOption, unknown>> = {};
  if (flags.tag.length) options.tags = parsePairs('--tag', flags.tag);
  if (flags.summaryTrendStats !== undefined) options.summaryTrendStats = flags.summaryTrendStats.split(',').map((s) => s.trim()).filter(Boolean);
  if (flags.summaryTimeUnit !== undefined) options.summaryTimeUnit = flags.summaryTimeUnit;
  if (flags.httpDebug !== undefined) options.httpDebug = flags.httpDebug === true ? 'headers' : flags.httpDebug;
  if (flags.userAgent !== undefined) options.userAgent = flags.userAgent;
  if (flags.discardResponseBodies) options.discardResponseBodies = true;
  if (!flags.connectionReuse) options.noConnectionReuse = true;
  if (flags.insecureSkipTlsVerify) options.insecureSkipTLSVerify = true;
  if (flags.maxRedirects !== undefined) options.maxRedirects = wholeNumber('--max-redirects', flags.maxRedirects, 0);
  const stages = parseStages(flags.stage);
  return {
    ...(flags.vus !== undefined ? { vus: wholeNumber('--vus', flags.vus, 1) } : {}),
    ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
    ...(flags.iterations !== undefined ? { iterations: wholeNumber('--iterations', flags.iterations, 1) } : {}),
    ...(stages.length ? { stages } : {}),
    ...(flags.thresholds ? {} : { noThresholds: true }),
    ...(Object.keys(options).length ? { options } : {}),
    ...(config ? { config } : {}),
  };
}

/** `peakready run`'s flags: k6's `k6 run` flags with k6's names, then peakready's own. */
export function addRunFlags(command: Command): Command {
  return command
    .option('--target <url>', 'base URL of the system under test (sets __ENV.BASE_URL)')
    .option('-u, --vus <n>', 'number of VUs (replaces the script\'s scenarios, as k6)')
    .option('-d, --duration <duration>', 'test duration, e.g. 30s, 5m (replaces the script\'s scenarios, as k6)')
    .option('-i, --iterations <n>', 'total iterations shared by the VUs (replaces the script\'s scenarios, as k6)')
    .option('-s, --stage <duration:target>', 'a ramping stage, e.g. -s 30s:10 -s 1m:50, repeatable (replaces the script\'s scenarios, as k6)', collect, [])
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (__ENV), repeatable', collect, [])
    .option('--include-system-env-vars [bool]', "the system's environment variables in __ENV too, under -e's, as k6 run (=false: only -e)", parseBoolFlag, true)
    .option('--tag <NAME=VALUE>', 'a tag on every sample, repeatable (replaces the script\'s options.tags, as k6)', collect, [])
    .option('-c, --config <file>', "k6's JSON config file: options under the script's own (k6's order)")
    .option('--no-thresholds', "do not evaluate the script's thresholds")
    .addOption(new Option('--summary-mode <mode>', "end-of-test summary: k6 1.x's compact or full, or the pre-1.0 legacy layout").choices(['compact', 'full', 'legacy']).default('compact'))
    .option('--no-summary', 'no end-of-test summary, handleSummary or --summary-export (as k6)')
    .option('--summary-trend-stats <stats>', 'trend stats in the summary, e.g. avg,p(95),p(99.9),max')
    .option('--summary-time-unit <unit>', 'one time unit for the summary: s, ms or us')
    .option('--summary-export <file>', 'write the end-of-test summary in k6\'s --summary-export format')
    .option('--http-debug [full]', 'print every request and response to stderr (headers; --http-debug=full adds bodies)')
    .option('--user-agent <text>', 'User-Agent header of every request')
    .option('--discard-response-bodies', 'do not keep response bodies (less memory)')
    .option('--no-connection-reuse', 'a new connection for every request')
    .option('--insecure-skip-tls-verify', 'accept any TLS certificate')
    .option('--max-redirects <n>', 'redirects followed per request (default 10)')
    .option('-o, --out <name=arg>', 'also send every sample to json=FILE, csv=FILE or experimental-prometheus-rw (K6_PROMETHEUS_RW_* variables), repeatable', collect, [])
    .option('--secret-source <TYPE=CONFIG>', 'a secret source for k6/secrets, as k6: file=PATH (key=value lines) or mock=key=value,...; name=NAME, default; repeatable', collect, [])
    .addOption(new Option('--engine <engine>', 'which engine runs the script').choices(['auto', 'builtin', 'k6']).default('auto'))
    .option('-q, --quiet', 'plain periodic progress lines instead of the live line')
    .option('--chaos <file>', 'run this chaos experiment (YAML) during the load')
    .option('--toxiproxy <url>', 'Toxiproxy API for --chaos (default: the running stack\'s fault proxy)')
    .option('--allow-remote', 'allow a target (or an --out endpoint) outside 127.0.0.0/8 and ::1 (only systems you own)')
    .option('--run-dir [dir]', 'record requests.ndjson, summary.json and the timeline in a run directory (default: a new one under .peakready/runs)');
}

/** k6's boolean flags: bare (true), or =true / =false. */
function parseBoolFlag(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError(`"${value}" is not true or false`);
}
