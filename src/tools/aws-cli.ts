import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** aws (aws-cli): only the benchmarks use it, as the old CI's way to compare against. */
export const awsCli: ToolSpec = {
  name: 'aws',
  install: 'pip install awscli',
  purpose: 'benchmarks against the old CI loop',
  required: false,
  async version(env) {
    const line = firstLine((await runToolOk(awsCli, ['--version'], { env })).stdout);
    return line && /^aws-cli\/(\S+)/.exec(line)?.[1];
  },
};
