import { stringify } from 'yaml';
import { header, sloRuleGroups } from './slo-rules.js';
import type { Budgets } from './types.js';

/**
 * The SLO rules as a Prometheus Operator `PrometheusRule` (monitoring.coreos.com/v1), for a
 * cluster whose Prometheus is run by the operator: the same groups as budgets.rules.yml under
 * `spec.groups`. The operator loads a PrometheusRule only when its labels match the Prometheus
 * resource's `ruleSelector` (kube-prometheus-stack: `release: <helm release>`), hence `labels`.
 */
export interface PrometheusRuleOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export const PROMETHEUS_RULE_FILE = 'budgets.prometheusrule.yaml';

export function renderPrometheusRule(budgets: Budgets, source: string, options: PrometheusRuleOptions = {}): string {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: options.name ?? 'peakready-budgets',
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'peakready', ...options.labels },
    },
    spec: { groups: sloRuleGroups(budgets) },
  };
  return header(source, 'PrometheusRule (Prometheus Operator) with the SLO rules').replace('Check: promtool test rules budgets.test.yml', 'Apply: kubectl apply -f ' + PROMETHEUS_RULE_FILE) + stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}
