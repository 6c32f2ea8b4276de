/**
 * Every exit code peakready uses, in one place. The k6 ones keep k6's numbers so that CI
 * scripts written for `k6 run` read ours the same way.
 */
export const ExitCode = {
  ok: 0,
  /** drill / gate: a check or a budget failed */
  checkFailed: 1,
  /** bad flags, bad config file, missing file: the user must change something */
  usage: 2,
  /** an unexpected internal failure (a bug, or the environment) */
  internal: 3,
  /**
   * drill / report: no check failed, but one could not tell: the test rig was starved while it
   * judged, or the load was not fully sent. Run again on a quieter machine (or a smaller load).
   */
  inconclusive: 4,
  /**
   * drill / report: the run stopped before its end (Ctrl-C, SIGTERM, SIGHUP, an error, or killed):
   * its reports judge what was measured until then, and say so. Not a pass, not the system's fail.
   */
  interrupted: 5,
  /** k6: thresholds have failed */
  thresholdsFailed: 99,
  /** k6: setup() did not finish within setupTimeout */
  setupTimeout: 100,
  /** k6: teardown() did not finish within teardownTimeout */
  teardownTimeout: 101,
  /** k6: the configuration is invalid (script options, --config file, thresholds, outputs) */
  invalidConfig: 104,
  /** k6: the script threw */
  scriptException: 107,
  /** k6: test.abort() or abortOnFail */
  scriptAborted: 108,
  /** k6: marked as failed by exec.test.fail() */
  markedAsFailed: 110,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a judged run. */
export function exitCodeOf(verdict: 'pass' | 'fail' | 'inconclusive' | 'interrupted'): ExitCodeValue {
  const codes = { pass: ExitCode.ok, fail: ExitCode.checkFailed, inconclusive: ExitCode.inconclusive, interrupted: ExitCode.interrupted } as const;
  return codes[verdict];
}
