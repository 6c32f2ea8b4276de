import { autoscalingDashboard } from './autoscaling.js';
import { faultsDashboard } from './faults.js';
import { overviewDashboard } from './overview.js';
import type { Dashboard } from './panels.js';
import { serviceRedDashboard } from './service-red.js';
import { tracesDashboard } from './traces.js';

/**
 * Every dashboard under dashboards/, by file name. Adding one: a file here that builds it and one
 * line below; `npx tsx src/telemetry/dashboards/write.ts` regenerates the JSON, and a test fails
 * while the committed JSON is out of date.
 */
export const dashboardRegistry: Readonly<Record<string, () => Dashboard>> = {
  'overview.json': overviewDashboard,
  'service-red.json': serviceRedDashboard,
  'autoscaling.json': autoscalingDashboard,
  'faults.json': faultsDashboard,
  'traces.json': tracesDashboard,
};

export function renderDashboard(dashboard: Dashboard): string {
  return JSON.stringify(dashboard, null, 2) + '\n';
}
