import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_BINARIES, controlPlaneBinaries, kwokctlConfiguration, kwokNodes } from '../../../src/dev/cluster/control-plane.js';
import { pinned } from '../../../src/tools/versions.js';
import { ExitCode, ToolMissingError } from '../../../src/ui/errors.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-control-plane-'));
  scratch.push(dir);
  return dir;
}

/** The error `fn` throws; fails the test when it throws none. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}

/** An executable file (never run: only found). */
function executable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('kwokctlConfiguration', () => {
  const binaries = Object.fromEntries(CONTROL_PLANE_BINARIES.map((name) => [name, `/opt/biomage/bin/${name}`]));
  const text = kwokctlConfiguration(binaries, 32766, '/opt/biomage/bin/kubectl');
  const config = JSON.parse(text) as { apiVersion: string; kind: string; options: Record<string, unknown> };

  it('is one JSON document of kind KwokctlConfiguration, ending in a newline', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(config.apiVersion).toBe('config.kwok.x-k8s.io/v1alpha1');
    expect(config.kind).toBe('KwokctlConfiguration');
  });

  it('runs the binary runtime bound to 127.0.0.1 on the given port, with authorization on', () => {
    expect(config.options).toMatchObject({
      runtime: 'binary',
      bindAddress: '127.0.0.1',
      kubeApiserverPort: 32766,
      securePort: true,
      kubeAuthorization: true,
    });
  });

  it('names the pinned Kubernetes release and kwok version of tools/versions.env', () => {
    expect(config.options.kubeVersion).toBe(pinned('KUBERNETES_RELEASE'));
    expect(config.options.kwokVersion).toBe(pinned('KWOK_VERSION'));
  });

  it('points kwokctl at each of our own binaries, so nothing is downloaded', () => {
    expect(config.options).toMatchObject({
      etcdBinary: '/opt/biomage/bin/etcd',
      kubeApiserverBinary: '/opt/biomage/bin/kube-apiserver',
      kubeControllerManagerBinary: '/opt/biomage/bin/kube-controller-manager',
      kubeSchedulerBinary: '/opt/biomage/bin/kube-scheduler',
      kwokControllerBinary: '/opt/biomage/bin/kwok',
      kubectlBinary: '/opt/biomage/bin/kubectl',
    });
  });
});

describe('kwokNodes', () => {
  type Node = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
    spec?: { taints?: unknown[] };
  };
  const nodes = kwokNodes(3) as Node[];

  it('gives n Nodes named kwok-node-<i>', () => {
    expect(nodes.map((n) => `${n.apiVersion} ${n.kind} ${n.metadata.name}`)).toEqual(['v1 Node kwok-node-0', 'v1 Node kwok-node-1', 'v1 Node kwok-node-2']);
    expect(kwokNodes(0)).toEqual([]);
    expect(kwokNodes(1)).toHaveLength(1);
  });

  it('annotates each node for kwok to manage, and taints none', () => {
    for (const node of nodes) {
      expect(node.metadata.annotations['kwok.x-k8s.io/node']).toBe('fake');
      expect(node.spec?.taints ?? []).toEqual([]);
    }
  });

  it('labels each node as EKS labels its nodes', () => {
    for (const node of nodes) {
      expect(node.metadata.labels).toMatchObject({
        'kubernetes.io/hostname': node.metadata.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'eks.amazonaws.com/nodegroup': expect.any(String),
        'node.kubernetes.io/instance-type': expect.any(String),
      });
    }
  });
});

describe('controlPlaneBinaries', () => {
  it('throws ToolMissingError (exit 2) naming every missing binary, with `make tools-e2e` as the hint, for an empty tools folder', () => {
    const env = { PATH: process.env.PATH, BIOMAGE_TOOLS_DIR: tempDir() };
    const caught = thrown(() => controlPlaneBinaries(env, ['source-controller']));
    expect(caught).toBeInstanceOf(ToolMissingError);
    const error = caught as ToolMissingError;
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe('tool-missing');
    expect(error.tool).toBe('etcd');
    for (const name of [...CONTROL_PLANE_BINARIES, 'source-controller']) expect(error.message).toContain(name);
    expect(error.hint).toContain('make tools-e2e');
  });

  it('does not accept binaries of the same names found on PATH: only the project toolchain counts', () => {
    const pathDir = join(tempDir(), 'path-bin');
    for (const name of CONTROL_PLANE_BINARIES) executable(pathDir, name);
    const env = { PATH: pathDir, BIOMAGE_TOOLS_DIR: tempDir() };
    expect(() => controlPlaneBinaries(env)).toThrow(ToolMissingError);
  });

  it('names only what is missing when part of the toolchain is built', () => {
    const tools = tempDir();
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) executable(join(tools, 'bin'), name);
    const env = { PATH: process.env.PATH, BIOMAGE_TOOLS_DIR: tools };
    const error = thrown(() => controlPlaneBinaries(env));
    expect(error).toBeInstanceOf(ToolMissingError);
    expect((error as ToolMissingError).tool).toBe('kwok');
    expect((error as Error).message).toMatch(new RegExp(`: kwok, kwokctl missing from ${join(tools, 'bin')}$`));
    expect((error as Error).message).not.toMatch(/etcd|kube-/);
  });

  it('returns each binary’s path in the tools folder when all are built', () => {
    const tools = tempDir();
    for (const name of CONTROL_PLANE_BINARIES) executable(join(tools, 'bin'), name);
    const env = { PATH: process.env.PATH, BIOMAGE_TOOLS_DIR: tools };
    expect(controlPlaneBinaries(env)).toEqual(Object.fromEntries(CONTROL_PLANE_BINARIES.map((name) => [name, join(tools, 'bin', name)])));
  });
});
