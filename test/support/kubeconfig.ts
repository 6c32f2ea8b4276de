import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A kubeconfig for a fake Kubernetes API server on 127.0.0.1:`port`: context `recorded` (cluster
 * `local`, namespace `namespace`, bearer token `recorded-token`) and `other`, the current one,
 * whose server nothing listens on — so a test that forgets `--kube-context` fails to connect.
 */
export function writeKubeconfig(dir: string, port: number, namespace = 'shop'): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:${port}
    # @kubernetes/client-node refuses plain HTTP unless told to (as for \`kubectl proxy\`)
    insecure-skip-tls-verify: true
- name: other
  cluster:
    server: http://127.0.0.1:1
    insecure-skip-tls-verify: true
users:
- name: tester
  user:
    token: recorded-token
contexts:
- name: other
  context: { cluster: other, user: tester }
- name: recorded
  context: { cluster: local, user: tester, namespace: ${namespace} }
current-context: other
`,
  );
  return file;
}
