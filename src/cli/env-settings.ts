/**
 * Settings read from the environment, one name each (PEAKREADY_*), in one place. A name that
 * used to be read elsewhere is still accepted, with a note that says the one to use.
 */
type Warn = (line: string) => void;
const stderrWarn: Warn = (line) => void process.stderr.write(`peakready: ${line}\n`);

/** The setting under its name, else under its old name (with a deprecation note). */
function setting(name: string, oldName: string, env: NodeJS.ProcessEnv, warn: Warn): string | undefined {
  const value = env[name];
  if (value) return value;
  const old = env[oldName];
  if (old) warn(`${oldName} is deprecated; set ${name} instead (read as ${name} this time)`);
  return old || undefined;
}

/** Grafana for trace links (`report`, `traces`, `drill`): PEAKREADY_GRAFANA_URL; GRAFANA_URL is the old name. */
export function grafanaUrlFromEnv(env: NodeJS.ProcessEnv = process.env, warn: Warn = stderrWarn): string | undefined {
  return setting('PEAKREADY_GRAFANA_URL', 'GRAFANA_URL', env, warn);
}
