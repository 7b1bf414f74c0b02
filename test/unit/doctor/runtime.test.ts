import { describe, expect, it } from 'vitest';
import type { RuntimeReport } from '../../../src/doctor/diagnose.js';
import { renderRuntime } from '../../../src/doctor/doctor.js';

const pinnedRun: RuntimeReport = {
  node: '24.22.3',
  path: '/repo/.tools/node/bin/node',
  source: 'project',
  minimum: '22.12.0',
  pinned: '24.22.3',
};

describe('renderRuntime: which Node runs biomage, and where it came from', () => {
  it("the machine's Node", () => {
    expect(renderRuntime({ node: '22.20.0', path: '/usr/bin/node', source: 'PATH', minimum: '22.12.0' })).toBe(
      "Node.js: biomage runs on 22.20.0, the machine's (/usr/bin/node)",
    );
  });

  it("the pinned Node, because the machine's is older than NODE_MIN", () => {
    expect(renderRuntime({ ...pinnedRun, machine: { path: '/usr/bin/node', version: '20.20.2' } })).toBe(
      "Node.js: biomage runs on 24.22.3 from .tools/node (/repo/.tools/node/bin/node), the pinned NODE_VERSION 24.22.3, because the machine's /usr/bin/node is 20.20.2, older than NODE_MIN 22.12.0",
    );
  });

  it("the pinned Node while the machine's would do: how to go back to it", () => {
    expect(renderRuntime({ ...pinnedRun, machine: { path: '/usr/bin/node', version: '24.1.0' } })).toBe(
      "Node.js: biomage runs on 24.22.3 from .tools/node (/repo/.tools/node/bin/node), the pinned NODE_VERSION 24.22.3; the machine's /usr/bin/node (24.1.0) would do too: remove .tools/node to run on it",
    );
  });

  it('the pinned Node on a machine without one, or with one that does not answer', () => {
    expect(renderRuntime({ ...pinnedRun, machine: null })).toMatch(/; the machine has no node on PATH$/);
    expect(renderRuntime({ ...pinnedRun, machine: { path: '/opt/node' } })).toMatch(/; the machine's \/opt\/node does not say its version$/);
  });
});
