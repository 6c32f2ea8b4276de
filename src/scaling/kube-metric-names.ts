/**
 * The series a Kubernetes cluster's Prometheus holds about workloads and their CPU, under the
 * names of their exporters: kube-state-metrics (docs/metrics/workload/horizontalpodautoscaler-,
 * deployment- and pod-metrics.md) and cAdvisor as the kubelet serves it (/metrics/cadvisor). The
 * supervisor exports the local stack under these names, so the Prometheus evidence source
 * (prometheus-evidence.ts) reads the bundled stack and a cluster the same way.
 */
export const KubeStateMetrics = {
  /** gauge, labels: namespace, horizontalpodautoscaler — the replicas the HPA saw at its last sync */
  hpaCurrentReplicas: 'kube_horizontalpodautoscaler_status_current_replicas',
  /** gauge, labels: namespace, horizontalpodautoscaler — the replicas it asked for */
  hpaDesiredReplicas: 'kube_horizontalpodautoscaler_status_desired_replicas',
  /** gauge, labels: namespace, horizontalpodautoscaler */
  hpaMinReplicas: 'kube_horizontalpodautoscaler_spec_min_replicas',
  /** gauge, labels: namespace, horizontalpodautoscaler */
  hpaMaxReplicas: 'kube_horizontalpodautoscaler_spec_max_replicas',
  /** gauge, labels: namespace, horizontalpodautoscaler, metric_name ("cpu"), metric_target_type ("utilization": percent) */
  hpaTargetMetric: 'kube_horizontalpodautoscaler_spec_target_metric',
  /** gauge, labels: namespace, deployment — pods of the Deployment (not terminated) */
  deploymentReplicas: 'kube_deployment_status_replicas',
  /** gauge, labels: namespace, deployment */
  deploymentReadyReplicas: 'kube_deployment_status_replicas_ready',
  /** gauge, labels: namespace, deployment — the count asked for (by the HPA, or a user) */
  deploymentSpecReplicas: 'kube_deployment_spec_replicas',
  /** gauge, labels: namespace, pod, container, node, resource ("cpu" | "memory"), unit ("core" | "byte") */
  containerRequests: 'kube_pod_container_resource_requests',
  /** gauge, labels as containerRequests */
  containerLimits: 'kube_pod_container_resource_limits',
  /** gauge 0/1, labels: namespace, pod, condition ("true" | "false" | "unknown") — the pod's Ready condition */
  podReady: 'kube_pod_status_ready',
  /** gauge 0/1, labels: namespace, pod, phase ("Pending" | "Running" | "Succeeded" | "Failed" | "Unknown") */
  podPhase: 'kube_pod_status_phase',
  /** gauge, unix seconds, labels: namespace, pod — status.startTime */
  podStartTime: 'kube_pod_start_time',
  /** gauge, unix seconds, labels: namespace, pod — present while the pod is being deleted */
  podDeletionTimestamp: 'kube_pod_deletion_timestamp',
} as const;

export const CadvisorMetrics = {
  /** counter, seconds of CPU, labels: namespace, pod, container, cpu ("total") */
  containerCpuUsage: 'container_cpu_usage_seconds_total',
} as const;
