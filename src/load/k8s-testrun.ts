import { basename } from 'node:path';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';

/**
 * Renders what k6-operator needs to run a script on a Kubernetes cluster: a ConfigMap holding
 * the script (its local imports bundled in, since a ConfigMap has no folders; k6 modules and
 * remote jslibs stay imports) and a TestRun (k6.io/v1alpha1) that mounts it at /test/.
 */

export interface TestRunOptions {
  script: string;
  parallelism: number;
  namespace?: string;
  /** resource name; defaults to the script's file name */
  name?: string;
  env?: Record<string, string>;
  /** extra `k6 run` arguments */
  arguments?: string[];
  /** one runner per node (spec.separate) */
  separate?: boolean;
  /** the runners' image (spec.runner.image); default the operator's */
  runnerImage?: string;
}

export interface RenderedTestRun {
  name: string;
  file: string;
  configMap: Record<string, unknown>;
  testRun: Record<string, unknown>;
  /** both documents as one multi-document YAML */
  yaml: string;
}

/** A DNS-1123 name from a file name: `black-friday.js` → `black-friday`. */
export function resourceName(text: string): string {
  const name = text.toLowerCase().replace(/\.[cm]?js$/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  if (!name) throw new UsageError(`--name: "${text}" has no letters or digits to make a Kubernetes name from`);
  return name;
}

/** One ES module with the script's relative imports inlined. */
export async function bundleScript(script: string): Promise<string> {
  const result = await build({
    entryPoints: [script],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*', 'https://*', 'http://*'],
    logLevel: 'silent',
  }).catch((error: Error) => {
    throw new UsageError(`${script}: cannot bundle the script for the ConfigMap: ${error.message.split('\n')[0]}`);
  });
  return result.outputFiles[0]!.text;
}

export async function renderTestRun(o: TestRunOptions): Promise<RenderedTestRun> {
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1) throw new UsageError(`--parallelism: "${o.parallelism}" must be a whole number ≥ 1`);
  const file = basename(o.script);
  const name = resourceName(o.name ?? file);
  const namespace = o.namespace ?? 'default';
  const source = await bundleScript(o.script);
  const args = [...Object.entries(o.env ?? {}).map(([k, v]) => `-e ${k}=${quoteArg(v)}`), '--tag', `testid=${name}`, ...(o.arguments ?? [])];
  const labels = { 'app.kubernetes.io/managed-by': 'peakready', 'app.kubernetes.io/name': name };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-script`, namespace, labels },
    data: { [file]: source },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, namespace, labels },
    spec: {
      parallelism: o.parallelism,
      separate: o.separate ?? false,
      // the operator mounts the ConfigMap at /test/ and runs `k6 run /test/<file>`
      script: { configMap: { name: `${name}-script`, file } },
      arguments: args.join(' '),
      runner: { metadata: { labels }, ...(o.runnerImage ? { image: o.runnerImage } : {}) },
    },
  };
  const yaml = [configMap, testRun].map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return { name, file, configMap, testRun, yaml };
}

function quoteArg(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
