// `npm run render:k8s`: rewrites reference-stack/k8s/ from the stack definition.
import { K8S_DIR, writeManifests } from './manifests.js';

const files = writeManifests();
process.stdout.write(`peakready: rendered ${files.length} files into ${K8S_DIR}/: ${files.join(', ')}\n`);
