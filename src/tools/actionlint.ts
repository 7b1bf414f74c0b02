import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** actionlint: lints the GitHub workflows under .github/workflows/. */
export const actionlint: ToolSpec = {
  name: 'actionlint',
  install: 'tools/install.sh actionlint',
  purpose: 'lint GitHub workflows',
  pin: { key: 'ACTIONLINT_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(actionlint, ['-version'], { env })).stdout);
  },
};
