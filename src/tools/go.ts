import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** go: builds the Go tools (helm, kubeconform, actionlint, eksctl) into .tools/bin. */
export const go: ToolSpec = {
  name: 'go',
  install: 'install Go from your package manager or go.dev (the version in tools/versions.env or later)',
  purpose: 'build the Go tools (only while installing)',
  pin: { key: 'GO_MIN', kind: 'minimum' },
  required: false,
  async version(env) {
    return firstLine((await runToolOk(go, ['env', 'GOVERSION'], { env })).stdout, /^go/);
  },
};
