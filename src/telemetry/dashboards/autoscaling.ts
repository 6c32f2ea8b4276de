import { StackMetrics as M, SupervisorMetrics as S } from '../../stack/metric-names.js';
import { dashboard, faultAnnotation, Grid, labelVariable, prom, timeseries, type Dashboard } from './panels.js';

const SEL = 'service=~"$service"';

/** The autoscaler at work: desired vs. current vs. ready replicas against CPU utilisation. */
export function autoscalingDashboard(): Dashboard {
  const g = new Grid();
  const panels = [
    g.row('Replicas and CPU per service'),
    timeseries(
      g,
      'Replicas: desired vs. current vs. ready',
      [
        prom(`sum by (service) (${S.desiredReplicas}{${SEL}})`, '{{service}} desired'),
        prom(`sum by (service) (${S.replicas}{${SEL}})`, '{{service}} current'),
        prom(`sum by (service) (${S.readyReplicas}{${SEL}})`, '{{service}} ready'),
        prom(`sum by (service) (${S.maxReplicas}{${SEL}})`, '{{service}} max'),
      ],
      { unit: 'short', min: 0, w: 24, h: 10 },
    ),
    timeseries(
      g,
      'CPU utilisation vs. target (60 % of request)',
      [prom(`max by (service) (${S.cpuUtilization}{${SEL}})`, '{{service}}'), prom('vector(0.6)', 'target')],
      { unit: 'percentunit', min: 0, w: 12 },
    ),
    timeseries(g, 'CPU seconds/s per replica (from the replicas)', [prom(`sum by (service, replica) (rate(${M.processCpu}{${SEL}}[$__rate_interval]))`, '{{replica}}')], { unit: 'short', w: 12 }),
    timeseries(
      g,
      'Headroom: replicas left before max',
      [prom(`sum by (service) (${S.maxReplicas}{${SEL}}) - sum by (service) (${S.replicas}{${SEL}})`, '{{service}}')],
      { unit: 'short', min: 0, w: 12 },
    ),
    timeseries(
      g,
      'Requests/s per ready replica',
      [prom(`sum by (service) (rate(${M.httpServerDuration}_count{${SEL}}[$__rate_interval])) / sum by (service) (${S.readyReplicas}{${SEL}})`, '{{service}}')],
      { unit: 'reqps', w: 12 },
    ),
  ];
  return dashboard(
    { uid: 'peakready-autoscaling', title: 'peakready / Autoscaling', description: 'HPA-style autoscaling of the local stack: replicas against CPU utilisation.', tags: ['autoscaling'] },
    panels,
    { variables: [labelVariable('service', S.replicas, 'service')], annotations: [faultAnnotation(S.faultActive)] },
  );
}
