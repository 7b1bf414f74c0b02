import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** helm: renders and lints the charts under charts/ and infra/charts/. */
export const helm: ToolSpec = {
  name: 'helm',
  install: 'tools/install.sh helm',
  purpose: 'render and lint Helm charts',
  pin: { key: 'HELM_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(helm, ['version', '--template', '{{.Version}}'], { env })).stdout);
  },
};
