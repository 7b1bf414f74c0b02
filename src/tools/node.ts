import type { ToolSpec } from './spec.js';

/** node: the runtime biomage itself runs on; asked in-process, nothing spawned. */
export const node: ToolSpec = {
  name: 'node',
  install: 'install Node.js (the version in tools/versions.env or later)',
  purpose: 'runs biomage',
  pin: { key: 'NODE_MIN', kind: 'minimum' },
  required: true,
  where: () => ({ path: process.execPath, source: 'PATH' }),
  async version() {
    return process.versions.node;
  },
};
