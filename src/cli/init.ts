import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assertLoopbackTarget } from '../util/loopback.js';
import { parseUrlFlag } from '../util/url-flag.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'where to write the files', 'gameday')
    .description('write a starter game day for your own system: game-day file, k6 script, budgets, chaos experiment')
    .option('--target <url>', 'your system\'s base URL (default http://127.0.0.1:8080)')
    .option('--allow-remote', 'a target outside 127.0.0.0/8 and ::1 (only systems you own)', false)
    .addHelpText(
      'after',
      `
Example:
  $ npx peakready init --target http://127.0.0.1:3000
  $ npx peakready drill gameday/gameday.yaml --dry-run

Nothing is overwritten: an existing file stops it with exit 2.`,
    )
    .action(async (dir: string, flags: { target?: string; allowRemote: boolean }) => {
      const { writeStarter } = await import('../gameday/starter.js');
      if (flags.target) {
        parseUrlFlag(flags.target, '--target');
        assertLoopbackTarget(flags.target, flags.allowRemote);
      }
      const written = writeStarter(resolve(dir), flags.target);
      const gameDay = written[0]!;
      process.stdout.write(
        [
          `peakready: wrote ${written.join(', ')}`,
          'Now edit (each place is marked EDIT):',
          `  ${written[1]}  what your users do, with a name tag on every request`,
          `  ${gameDay}  your Toxiproxy's URL, checks.isolation.protect (the requests that must keep working while the dependency is down), the surge's rate`,
          `  ${written[3]}  the name of the Toxiproxy proxy in front of the dependency to break`,
          `Then: npx peakready drill ${gameDay} --dry-run`,
          '',
        ].join('\n'),
      );
    });
}
