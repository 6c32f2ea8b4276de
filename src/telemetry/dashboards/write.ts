import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shipped } from '../../paths.js';
import { dashboardRegistry, renderDashboard } from './index.js';

// Regenerates dashboards/*.json from the builders: `npx tsx src/telemetry/dashboards/write.ts`.
for (const [file, build] of Object.entries(dashboardRegistry)) {
  writeFileSync(join(shipped('dashboards'), file), renderDashboard(build()));
  process.stdout.write(`wrote dashboards/${file}\n`);
}
