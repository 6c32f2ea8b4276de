import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../src/report/report-json.js';
import type { TimelineEvent } from '../src/run/records.js';
import { packageRoot } from '../src/paths.js';
import { BIN, runCli } from './support/cli.js';
import { isListening, processesWithHome, waitFor } from './support/stack.js';

/**
 * A drill that does not reach its end, through the CLI on real processes: Ctrl-C mid-load, or its
 * terminal closing, still gives a judged report marked INTERRUPTED; a SIGKILL before the stack is ready leaves no process
 * and no port within 5 s with nothing reaping; a drill that cannot start leaves no run directory.
 */

const BASE = 30_500;
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function freshHome(): { home: string; env: NodeJS.ProcessEnv } {
  const home = mkdtempSync(join(tmpdir(), 'peakready-interrupt-'));
  roots.push(home);
  const env: NodeJS.ProcessEnv = { ...process.env, PEAKREADY_HOME: home, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.GITHUB_STEP_SUMMARY;
  return { home, env };
}

function startDrill(env: NodeJS.ProcessEnv, extra: string[] = []): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'drill', '--profile', 'smoke', '--quiet', '--base-port', String(BASE), ...extra], { env, cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

function runDirs(home: string): string[] {
  const runs = join(home, 'runs');
  return existsSync(runs) ? readdirSync(runs).map((id) => join(runs, id)) : [];
}

function timeline(runDir: string): TimelineEvent[] {
  const file = join(runDir, 'timeline.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as TimelineEvent];
      } catch {
        return [];
      }
    });
}

const stackPorts = [...Array.from({ length: 10 }, (_, i) => BASE + i), ...Array.from({ length: 10 }, (_, i) => BASE + 100 + i), BASE + 300, BASE + 301, BASE + 302];

async function openPorts(): Promise<number[]> {
  const open: number[] = [];
  for (const p of stackPorts) if (await isListening(p)) open.push(p);
  return open;
}

describe('peakready drill, interrupted', () => {
  it('on SIGINT mid-load writes every report, judged up to the signal, verdict INTERRUPTED, exit 5', { timeout: 240_000 }, async () => {
    const { home, env } = freshHome();
    const reportDir = join(home, 'report');
    const drill = startDrill(env, ['--report', reportDir]);
    // mid-load: the load's first phase has started and requests have been answered
    await waitFor(() => {
      const [run] = runDirs(home);
      return run !== undefined && timeline(run).some((e) => e.type === 'phase' && e.state === 'start') && (existsSync(join(run, 'requests.ndjson.gz')) || existsSync(join(run, 'requests.ndjson')));
    }, 'the load to be under way', 120_000);
    drill.child.kill('SIGINT');
    const code = await drill.exited;
    expect(code, drill.output().slice(-3000)).toBe(5);
    expect(drill.output()).toMatch(/VERDICT: INTERRUPTED \(stopped by SIGINT during the load/);

    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
    expect(report.verdict).toBe('interrupted');
    expect(report.interrupted).toMatchObject({ cause: 'SIGINT', step: 'load' });
    expect(report.interrupted!.phases.length).toBeGreaterThan(0);
    // nothing measured after the signal is judged: the run's span ends there
    expect(Date.parse(report.run.end)).toBe(report.interrupted!.t);
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toContain('INTERRUPTED');
    expect(readFileSync(join(reportDir, 'junit.xml'), 'utf8')).toContain('type="interrupted"');
    const cleanup = report.checks.find((c) => c.id === 'cleanup');
    expect(cleanup?.status, JSON.stringify(cleanup)).toBe('pass');
    expect(await openPorts()).toEqual([]);

    // judged again later, it is still the interrupted run it was
    const again = await runCli(['report'], env);
    expect(again.code, again.stderr).toBe(5);
    expect(again.stdout).toContain('VERDICT: INTERRUPTED');
  });

  it('when its terminal closes mid-load (SIGHUP, every later write to stdout and stderr failing) still judges and writes its reports, and stops everything', { timeout: 240_000 }, async () => {
    const { home, env } = freshHome();
    const drill = startDrill(env);
    await waitFor(() => {
      const [run] = runDirs(home);
      return run !== undefined && timeline(run).some((e) => e.type === 'phase' && e.state === 'start');
    }, 'the load to be under way', 120_000);
    // the terminal is gone: nobody reads the drill's output any more (EPIPE), then the hang-up
    drill.child.stdout!.destroy();
    drill.child.stderr!.destroy();
    drill.child.kill('SIGHUP');
    expect(await drill.exited).toBe(5);
    const [run] = runDirs(home);
    const report = JSON.parse(readFileSync(join(run!, 'report.json'), 'utf8')) as ReportJson;
    expect(report.verdict).toBe('interrupted');
    expect(report.interrupted).toMatchObject({ cause: 'SIGHUP', step: 'load' });
    expect(readFileSync(join(run!, 'summary.md'), 'utf8')).toContain('stopped by SIGHUP');
    expect(processesWithHome(home)).toEqual([]);
    expect(await openPorts()).toEqual([]);
  });

  it('SIGKILLed while the stack starts leaves no process and no port 5 s later, before any command reaps', { timeout: 120_000 }, async () => {
    const { home, env } = freshHome();
    const drill = startDrill(env);
    await waitFor(() => {
      const [run] = runDirs(home);
      return run !== undefined && timeline(run).some((e) => e.type === 'replica' && e.state === 'started');
    }, 'replicas to be starting', 60_000);
    drill.child.kill('SIGKILL');
    await drill.exited;
    const killedAt = Date.now();
    await waitFor(() => processesWithHome(home).length === 0, 'every process the drill started to end', 5_000).catch(() => {
      throw new Error(`left after 5 s: ${JSON.stringify(processesWithHome(home))}`);
    });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(await openPorts()).toEqual([]);
  });

  it('that cannot start (the receiver port taken) says so in one line naming --base-port, and leaves no run directory', async () => {
    const { home, env } = freshHome();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(BASE + 301, '127.0.0.1', resolve));
    try {
      const r = await runCli(['drill', '--profile', 'smoke', '--quiet', '--base-port', String(BASE)], env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`port ${BASE + 301} (the drill's OTLP receiver) is already in use`);
      expect(r.stderr).toContain('--base-port');
      expect(r.stderr).not.toMatch(/--port\b/);
      expect(runDirs(home)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses a --report naming a file, or a --baseline that is no report.json, before anything starts, leaving no run directory', async () => {
    const { home, env } = freshHome();
    const file = join(home, 'taken');
    writeFileSync(file, 'not a directory, not JSON');
    const drill = (flags: string[]) => runCli(['drill', '--profile', 'smoke', '--quiet', '--base-port', String(BASE), ...flags], env);
    const report = await drill(['--report', file]);
    expect(report.code, report.stderr).toBe(2);
    expect(report.stderr).toContain(`--report ${file} is a file`);
    const baseline = await drill(['--baseline', file]);
    expect(baseline.code, baseline.stderr).toBe(2);
    expect(baseline.stderr).toContain(`--baseline ${file}:`);
    const missing = await drill(['--baseline', join(home, 'missing.json')]);
    expect(missing.code, missing.stderr).toBe(2);
    expect(runDirs(home)).toEqual([]);
  });
});
