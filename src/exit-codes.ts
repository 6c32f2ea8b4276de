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
  /** k6: thresholds have failed */
  thresholdsFailed: 99,
  /** k6: the script threw */
  scriptException: 107,
  /** k6: test.abort() or abortOnFail */
  scriptAborted: 108,
  /** k6: marked as failed by exec.test.fail() */
  markedAsFailed: 110,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
