import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** cfn-lint: lints every CloudFormation template, in one run over all of them. */
export const cfnLint: ToolSpec = {
  name: 'cfn-lint',
  install: 'tools/install.sh venv',
  purpose: 'lint CloudFormation templates',
  pin: { key: 'CFN_LINT_VERSION', kind: 'exact' },
  required: true,
  scope: 'project',
  async version(env) {
    return firstLine((await runToolOk(cfnLint, ['--version'], { env })).stdout, /^cfn-lint\s+/);
  },
};
