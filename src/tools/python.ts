import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** python3 (the machine's): creates the tools venv. */
export const python: ToolSpec = {
  name: 'python3',
  install: 'apt-get install python3 python3-venv',
  purpose: 'create the tools venv',
  pin: { key: 'PYTHON_MIN', kind: 'minimum' },
  required: true,
  scope: 'system',
  async version(env) {
    return firstLine((await runToolOk(python, ['--version'], { env })).stdout, /^Python\s+/);
  },
};
