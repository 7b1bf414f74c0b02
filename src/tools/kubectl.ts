import { runTool, runToolOk, ToolFailedError } from './run.js';
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

/**
 * `kubectl apply --server-side` of manifest files, as published. For CRDs: the client library
 * re-serialises objects through its typed model, which drops schema keys such as
 * `x-kubernetes-preserve-unknown-fields` when they are given as plain YAML.
 */
export async function applyManifestFiles(kubeconfig: string, files: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const args = ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '--field-manager=biomage'];
  await runToolOk(kubectl, [...args, ...files.flatMap((f) => ['-f', f])], { env, timeoutMs: 120_000 });
}

/** `kubectl auth can-i <verb> <resource> --as <user> --as-group <group>…`: whether the API server would allow it. */
export async function canI(kubeconfig: string, request: { verb: string; resource: string; namespace?: string; as: string; groups?: string[] }, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const args = ['--kubeconfig', kubeconfig, 'auth', 'can-i', request.verb, request.resource, '--as', request.as];
  for (const group of request.groups ?? []) args.push('--as-group', group);
  if (request.namespace) args.push('--namespace', request.namespace);
  const result = await runTool(kubectl, args, { env });
  // can-i answers yes (exit 0) or no (exit 1) on stdout; anything else is a failure to ask.
  if (/^(yes|no)\b/.test(result.stdout.trim())) return result.stdout.trim().startsWith('yes');
  throw new ToolFailedError(kubectl.name, result.exitCode, result.stderr || result.stdout);
}
