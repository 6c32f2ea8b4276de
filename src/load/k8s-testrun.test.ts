import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parse } from 'acorn';
import { shipped } from '../paths.js';
import { renderTestRun, resourceName } from './k8s-testrun.js';

describe('k6-operator TestRun rendering', () => {
  it('renders a ConfigMap with the bundled script and a TestRun that mounts it', async () => {
    const rendered = await renderTestRun({ script: shipped('scenarios/black-friday.js'), parallelism: 4, namespace: 'load', env: { BASE_URL: 'http://gateway:7100', TIME_SCALE: '0.5' } });
    type Doc = { metadata: unknown; data: Record<string, string>; spec: { arguments: string } };
    const docs = parseAllDocuments(rendered.yaml).map((d) => d.toJS() as Doc);
    expect(docs).toHaveLength(2);
    const [configMap, testRun] = docs;
    expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'black-friday-script', namespace: 'load' } });
    expect(testRun).toMatchObject({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'black-friday', namespace: 'load' },
      spec: { parallelism: 4, separate: false, script: { configMap: { name: 'black-friday-script', file: 'black-friday.js' } } },
    });
    expect(testRun!.spec.arguments).toBe('-e BASE_URL=http://gateway:7100 -e TIME_SCALE=0.5 --tag testid=black-friday');
    // the script k6 will run: one module, k6 imports kept, the local lib inlined
    const script = configMap!.data['black-friday.js']!;
    const ast = parse(script, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as { body: Array<{ type: string; source?: { value: string } }> };
    const imports = ast.body.filter((n) => n.type === 'ImportDeclaration').map((n) => n.source!.value);
    expect(imports.every((s) => s === 'k6' || s.startsWith('k6/'))).toBe(true);
    expect(script).toContain('discoverCatalog');
    expect(script).toMatch(/export\s*\{[^}]*options/);
  });

  it('makes DNS-1123 names and refuses a bad parallelism', async () => {
    expect(resourceName('Black_Friday v2.js')).toBe('black-friday-v2');
    await expect(renderTestRun({ script: shipped('scenarios/smoke.js'), parallelism: 0 })).rejects.toThrow('--parallelism');
  });
});
