import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** kubeconform: validates rendered manifests against local Kubernetes and Flux schemas. */
export const kubeconform: ToolSpec = {
  name: 'kubeconform',
  install: 'tools/install.sh kubeconform',
  purpose: 'validate manifests against schemas',
  pin: { key: 'KUBECONFORM_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(kubeconform, ['-v'], { env })).stdout);
  },
};
