import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** eksctl: creates and updates the EKS clusters from infra/cluster.yaml. */
export const eksctl: ToolSpec = {
  name: 'eksctl',
  install: 'tools/install.sh eksctl',
  purpose: 'create and update EKS clusters',
  pin: { key: 'EKSCTL_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    const plain = firstLine((await runToolOk(eksctl, ['version'], { env })).stdout);
    return plain && `v${plain}`;
  },
};
