import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { githubWorkflowSchema } from '../../test/support/github-workflow-schema.js';
import { packageRoot } from '../paths.js';
import { buildProgram } from './main.js';

const EXAMPLE = join(packageRoot, 'examples', 'github-workflow.yml');

/** Every `run:` line of the workflow that calls peakready, as argv after `peakready`. */
function peakreadyCalls(workflow: { jobs: Record<string, { steps?: Array<{ run?: string }> }> }): string[][] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .flatMap((step) => (step.run ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => /\bpeakready\b/.test(line))
    .map((line) => line.split(/\s+/));
}

describe('the GitHub Actions example (examples/github-workflow.yml)', () => {
  const workflow = parse(readFileSync(EXAMPLE, 'utf8')) as unknown;

  it("is a valid workflow by GitHub's documented syntax", () => {
    const result = githubWorkflowSchema.safeParse(workflow);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it('the schema refuses what GitHub would refuse', () => {
    type Job = Record<string, unknown> & { steps: Array<Record<string, unknown>> };
    type Workflow = { on: unknown; jobs: Record<string, Job> };
    const valid = (mutate: (job: Job, w: Workflow) => void) => {
      const copy = structuredClone(workflow) as Workflow;
      mutate(copy.jobs['game-day']!, copy);
      return githubWorkflowSchema.safeParse(copy).success;
    };
    expect(valid(() => undefined)).toBe(true);
    expect(valid((job) => (job.steps[0]!.run = 'echo both'))).toBe(false);
    expect(valid((job) => (job['runs_on'] = 'ubuntu-latest'))).toBe(false);
    expect(valid((_job, w) => (w.on = { pull_requests: null }))).toBe(false);
    expect(valid((job) => (job.steps[1]!.uses = 'actions/setup-node'))).toBe(false);
    expect(valid((job) => delete job['runs-on'])).toBe(false);
  });

  it('installs peakready as a dependency and only ever runs that copy', () => {
    const w = workflow as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
    const runs = Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs).toContain('npm ci');
    const calls = peakreadyCalls(w);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // `npx --no`: never download a package named peakready from the registry
    for (const call of calls) expect(call.slice(0, 3)).toEqual(['npx', '--no', 'peakready']);
  });

  it('passes only commands and flags peakready has', () => {
    const program = buildProgram();
    for (const call of peakreadyCalls(workflow as never)) {
      const [name, ...args] = call.slice(3);
      if (name === '--version') continue;
      const command = program.commands.find((c) => c.name() === name);
      expect(command, `peakready ${name}`).toBeDefined();
      const flags = new Set(command!.options.flatMap((o) => [o.long, o.short].filter(Boolean)));
      for (const arg of args.filter((a) => a.startsWith('-'))) expect(flags.has(arg.split('=')[0]!), `peakready ${name} ${arg}`).toBe(true);
    }
  });
});
