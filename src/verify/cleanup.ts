import type { Budgets } from '../budgets/types.js';
import type { CheckResult, CleanupSnapshot } from '../run/records.js';
import { fromDetails, skipped } from './check-result.js';
import { assertReadable, type RunData } from '../run/run-data.js';

const ID = 'cleanup';
const TITLE = 'Clean-up';

/** After the stack and faults stopped: no process, port, toxic, disabled proxy or Kubernetes object left (cleanup.json). */
export function checkCleanup(data: RunData, budgets: Budgets): CheckResult {
  if (!budgets.cleanup.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  assertReadable(data, 'cleanup');
  const snapshot: CleanupSnapshot | undefined = data.cleanup;
  if (!snapshot) return skipped(ID, TITLE, 'no cleanup.json in the run (nothing was started by peakready, or the run was cut short)');
  const leftovers: Array<[string, string[]]> = [
    ['processes', snapshot.processes.map((p) => `pid ${p.pid} (${p.name})`)],
    ['ports', snapshot.ports.map((p) => `${p.port} (${p.owner})`)],
    ['toxics', snapshot.toxics.map((t) => `${t.proxy}/${t.toxic}`)],
    ['disabled proxies', snapshot.disabledProxies],
    ...(snapshot.kubernetes ? [['Kubernetes objects', snapshot.kubernetes.map((o) => `${o.kind} ${o.namespace}/${o.name}`)] as [string, string[]]] : []),
  ];
  const details = leftovers.map(([name, left]) => ({
    name,
    status: left.length ? ('fail' as const) : ('pass' as const),
    figure: `${left.length} left`,
    limit: '0',
    ...(left.length ? { note: left.slice(0, 10).join(', ') + (left.length > 10 ? `, … ${left.length - 10} more` : '') } : {}),
  }));
  const total = leftovers.reduce((n, [, left]) => n + left.length, 0);
  return fromDetails(ID, TITLE, `${total} left`, '0 left', details);
}
