import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { commands } from './commands.js';
import { buildProgram } from './main.js';

describe('the peakready command line', () => {
  it('--help lists every command with a line, and each command has its own --help with an example', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const names = buildProgram().commands.map((c) => c.name());
    expect(names).toHaveLength(commands.length);
    for (const name of names) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b.*\\S`, 'm'));
    for (const name of ['drill', 'run', 'up', 'status', 'down', 'traces', 'report', 'doctor']) {
      const own = await runCli([name, '--help']);
      expect(own.code, name).toBe(0);
      expect(own.stdout, name).toMatch(/Example/);
      expect(own.stdout, name).toMatch(/\$ npx peakready /);
    }
  });

  it('exits 2 with the reason on a usage error in any command, not 1 (which means "a check failed")', async () => {
    for (const args of [['drill', '--no-such-flag'], ['chaos', 'run'], ['scale', 'simulate'], ['run'], ['no-such-command']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/error: (unknown|missing|required)/);
    }
  });

  it('chaos validate checks every file, names each problem with file:line and field, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peakready-validate-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'title: x\nmethod:\n  - action: add-toxic\n    proxy: recommendations\n    offset: 5s\n    toxic: {type: latency}\n');
      const r = await runCli(['chaos', 'validate', bad, 'chaos/recommendations-outage.yaml']);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('chaos/recommendations-outage.yaml: ok');
      expect(r.stderr).toContain(`${bad}:3 method[0].duration: required field "duration" is missing: add it`);
      expect(r.stderr).toContain(`${bad}:3 method[0]: unknown key "offset"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
