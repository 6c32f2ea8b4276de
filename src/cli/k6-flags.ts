/**
 * `k6 run`'s flags that `peakready run` does not have (k6 1.x `k6 run --help`), so that an
 * unknown flag a k6 user types is answered with what it is and what to do, not with the nearest
 * unrelated peakready flag. Each value says what to use instead.
 */
export const K6_RUN_FLAGS_MISSING: Readonly<Record<string, string>> = {
  '--address': 'peakready has no REST API; the live progress line and `peakready status` show the run',
  '-a': 'peakready has no REST API; the live progress line and `peakready status` show the run',
  '--paused': 'peakready starts the test at once',
  '-p': 'peakready starts the test at once',
  '--linger': 'peakready ends when the test does',
  '-l': 'peakready ends when the test does',
  '--rps': 'use an arrival-rate scenario (constant-arrival-rate) in the script',
  '--no-setup': 'setup() always runs',
  '--no-teardown': 'teardown() always runs',
  '--no-vu-connection-reuse': 'use --no-connection-reuse',
  '--system-tags': 'every k6 system tag is recorded',
  '--blacklist-ip': 'requests outside 127.0.0.0/8 and ::1 are refused unless --allow-remote',
  '--block-hostnames': 'requests outside 127.0.0.0/8 and ::1 are refused unless --allow-remote',
  '--local-ips': 'connections use the system\'s source address',
  '--dns': 'the system resolver is used',
  '--compatibility-mode': 'scripts are ES modules, as in k6\'s default mode',
  '--console-output': 'console output goes to stderr',
  '--log-output': 'logs go to stderr',
  '--log-format': 'logs go to stderr as plain lines',
  '--traces-output': 'peakready sends a W3C traceparent with every request; traces go where the system under test exports them',
  '--minimum-iteration-duration': 'end the iteration with sleep()',
  '--throw': 'failed requests are recorded in http_req_failed; check() them',
  '-w': 'failed requests are recorded in http_req_failed; check() them',
  '--batch': 'http.batch() sends its requests at once',
  '--batch-per-host': 'http.batch() sends its requests at once',
  '--exit-on-running': 'peakready runs the test to its end',
  '--no-usage-report': 'peakready sends no usage report',
  '--local-execution': 'peakready always runs locally',
  '--upload-only': 'peakready always runs locally',
};
