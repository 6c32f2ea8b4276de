import { Chalk } from 'chalk';
import type { Command } from 'commander';
import type { ComponentStatus } from '../doctor/doctor.js';
import { outputWidth, renderTable, wrapText } from '../util/text-table.js';

/** The doctor's findings as a table that fits `width` columns. */
export function renderDoctorTable(components: readonly ComponentStatus[], color: boolean, width = 100): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const table = renderTable({
    head: ['component', 'found', 'detail', 'peakready will use'],
    rows: components.map((s) => [s.component, s.available ? { text: 'yes', style: c.green } : { text: 'no', style: c.yellow }, s.detail, s.uses]),
    width,
    headStyle: (h) => c.bold(h),
  });
  const real = components.filter((s) => s.available).length;
  const summary = wrapText(`${real} of ${components.length} real components available; everything else runs embedded (nothing to install for \`peakready drill\`).`, width);
  return `${table}\n${summary.join('\n')}\n`;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which real components are available and which embedded defaults will be used')
    .option('--toxiproxy <url>', 'a Toxiproxy server to probe (default: $TOXIPROXY_URL)')
    .option('--database-url <url>', 'a PostgreSQL to connect to (default: $DATABASE_URL)')
    .option('--json', 'print the findings as JSON')
    .addHelpText('after', '\nExample:\n  $ npx peakready doctor\n  $ TOXIPROXY_URL=http://127.0.0.1:8474 npx peakready doctor\n')
    .action(async (flags: { toxiproxy?: string; databaseUrl?: string; json?: boolean }) => {
      const { diagnose } = await import('../doctor/doctor.js');
      const { useColor } = await import('../report/terminal.js');
      const components = await diagnose({ ...(flags.toxiproxy ? { toxiproxyUrl: flags.toxiproxy } : {}), ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}) });
      process.stdout.write(flags.json ? JSON.stringify(components, null, 2) + '\n' : renderDoctorTable(components, useColor(process.stdout), outputWidth(process.stdout)));
    });
}
