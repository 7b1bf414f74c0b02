import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/**
 * The flux CLI: `configure` installs Flux with it on an EKS cluster that has none. Its install
 * manifests come from Flux's release pages, so it runs only where the internet is (the
 * deploy-infra workflow installs the pinned CLI); the local cluster runs Flux built from source.
 */
export const flux: ToolSpec = {
  name: 'flux',
  install: 'install the flux CLI of FLUX_VERSION (tools/versions.env); the deploy-infra workflow does',
  purpose: 'install Flux on the EKS clusters (configure)',
  pin: { key: 'FLUX_VERSION', kind: 'exact' },
  required: false,
  async version(env) {
    // `flux --version` prints "flux version 2.9.5".
    const plain = firstLine((await runToolOk(flux, ['--version'], { env })).stdout, /^flux version\s+/);
    return plain && `v${plain.replace(/^v/, '')}`;
  },
};

/** `flux install` of the three controllers this platform uses, at the pinned version, into flux-system. */
export async function fluxInstall(request: { kubeconfig: string; context?: string; version: string; timeoutSeconds: number; env?: NodeJS.ProcessEnv }): Promise<void> {
  const args = ['install', `--version=${request.version}`, '--components=source-controller,kustomize-controller,helm-controller'];
  args.push('--namespace=flux-system', '--network-policy=true', `--timeout=${request.timeoutSeconds}s`, `--kubeconfig=${request.kubeconfig}`);
  if (request.context) args.push(`--context=${request.context}`);
  await runToolOk(flux, args, { env: request.env, timeoutMs: (request.timeoutSeconds + 60) * 1000 });
}
