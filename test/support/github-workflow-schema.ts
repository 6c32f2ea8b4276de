import { z } from 'zod';

/**
 * A minimal schema of a GitHub Actions workflow file, written from GitHub's documented workflow
 * syntax ("Workflow syntax for GitHub Actions": top-level keys, jobs.<id>, jobs.<id>.steps[*],
 * permissions, events). Strict: a key GitHub does not know fails, as the runner would refuse the
 * file. Not every event's filters are modelled: an event's configuration is any mapping or null.
 */

const expression = z.string().refine((s) => (s.match(/\$\{\{/g) ?? []).length === (s.match(/\}\}/g) ?? []).length, 'unbalanced ${{ }} expression');
const scalar = z.union([expression, z.number(), z.boolean()]);
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), scalar);

// the events a workflow may be triggered by (docs: "Events that trigger workflows")
const EVENTS = [
  'branch_protection_rule', 'check_run', 'check_suite', 'create', 'delete', 'deployment', 'deployment_status', 'discussion',
  'discussion_comment', 'fork', 'gollum', 'issue_comment', 'issues', 'label', 'merge_group', 'milestone', 'page_build',
  'public', 'pull_request', 'pull_request_review', 'pull_request_review_comment', 'pull_request_target', 'push',
  'registry_package', 'release', 'repository_dispatch', 'schedule', 'status', 'watch', 'workflow_call', 'workflow_dispatch',
  'workflow_run',
] as const;
const event = z.enum(EVENTS);
const on = z.union([event, z.array(event).nonempty(), z.partialRecord(event, z.union([z.null(), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]))]);

const SCOPES = [
  'actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'models', 'packages',
  'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses',
] as const;
const permissions = z.union([z.enum(['read-all', 'write-all']), z.partialRecord(z.enum(SCOPES), z.enum(['read', 'write', 'none']))]);

const defaults = z.strictObject({ run: z.strictObject({ shell: z.string().optional(), 'working-directory': z.string().optional() }) });
const concurrency = z.union([z.string(), z.strictObject({ group: z.string(), 'cancel-in-progress': z.union([z.boolean(), expression]).optional() })]);

/** `owner/repo@ref`, `owner/repo/path@ref`, `./local/action` or `docker://image` */
const uses = z.string().regex(/^(\.\/\S+|docker:\/\/\S+|[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w./-]+)$/, 'owner/repo@ref, ./path or docker://image');

const step = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z_][\w-]*$/).optional(),
    if: z.union([expression, z.boolean()]).optional(),
    name: z.string().optional(),
    uses: uses.optional(),
    run: z.string().min(1).optional(),
    'working-directory': z.string().optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), scalar).optional(),
    env: env.optional(),
    'continue-on-error': z.union([z.boolean(), expression]).optional(),
    'timeout-minutes': z.union([z.number().positive(), expression]).optional(),
  })
  .refine((s) => (s.uses === undefined) !== (s.run === undefined), 'a step has exactly one of `uses` and `run`')
  .refine((s) => s.with === undefined || s.uses !== undefined, '`with` goes with `uses`');

const runsOn = z.union([z.string().min(1), z.array(z.string().min(1)).nonempty(), z.strictObject({ group: z.string().optional(), labels: z.union([z.string(), z.array(z.string())]).optional() })]);

const job = z
  .strictObject({
    name: z.string().optional(),
    permissions: permissions.optional(),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: z.union([expression, z.boolean()]).optional(),
    'runs-on': runsOn.optional(),
    environment: z.union([z.string(), z.strictObject({ name: z.string(), url: z.string().optional() })]).optional(),
    concurrency: concurrency.optional(),
    outputs: z.record(z.string(), z.string()).optional(),
    env: env.optional(),
    defaults: defaults.optional(),
    steps: z.array(step).nonempty().optional(),
    'timeout-minutes': z.union([z.number().positive(), expression]).optional(),
    strategy: z.strictObject({ matrix: z.union([z.record(z.string(), z.unknown()), expression]), 'fail-fast': z.boolean().optional(), 'max-parallel': z.number().optional() }).optional(),
    'continue-on-error': z.union([z.boolean(), expression]).optional(),
    container: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    services: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    uses: z.string().optional(),
    with: z.record(z.string(), scalar).optional(),
    secrets: z.union([z.literal('inherit'), z.record(z.string(), z.string())]).optional(),
  })
  // a job runs steps on a runner, or calls a reusable workflow
  .refine((j) => (j.uses === undefined ? j['runs-on'] !== undefined && j.steps !== undefined : j.steps === undefined), 'a job has `runs-on` and `steps`, or `uses` (a reusable workflow)');

export const githubWorkflowSchema = z.strictObject({
  name: z.string().optional(),
  'run-name': z.string().optional(),
  on,
  permissions: permissions.optional(),
  env: env.optional(),
  defaults: defaults.optional(),
  concurrency: concurrency.optional(),
  jobs: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/, 'a job id starts with a letter or _ and holds letters, digits, - and _'), job).refine((jobs) => Object.keys(jobs).length > 0, 'at least one job'),
});
