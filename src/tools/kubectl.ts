import { runToolOk } from './run.js';
import type { ToolSpec } from './spec.js';

/** kubectl: access checks (`auth can-i`) against the local control plane. */
export const kubectl: ToolSpec = {
  name: 'kubectl',
  install: 'apt-get install kubectl',
  purpose: 'access checks against a cluster',
  required: false,
  async version(env) {
    const { stdout } = await runToolOk(kubectl, ['version', '--client', '-o', 'json'], { env });
    return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  },
};
