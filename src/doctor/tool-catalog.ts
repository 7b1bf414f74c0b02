import { actionlint } from '../tools/actionlint.js';
import { awsCli } from '../tools/aws-cli.js';
import { cfnLint } from '../tools/cfn-lint.js';
import { eksctl } from '../tools/eksctl.js';
import { flux } from '../tools/flux.js';
import { fluxControllers } from '../tools/flux-controllers.js';
import { git } from '../tools/git.js';
import { go } from '../tools/go.js';
import { helm } from '../tools/helm.js';
import { kubeconform } from '../tools/kubeconform.js';
import { kubectl } from '../tools/kubectl.js';
import { kwokctl } from '../tools/kwokctl.js';
import { moto } from '../tools/moto.js';
import { node } from '../tools/node.js';
import { python } from '../tools/python.js';
import type { ToolSpec } from '../tools/spec.js';

/** Every external binary biomage uses, in the order doctor reports them. */
export const TOOL_CATALOG: readonly ToolSpec[] = [
  node,
  python,
  go,
  git,
  moto,
  cfnLint,
  helm,
  kubeconform,
  actionlint,
  eksctl,
  kubectl,
  awsCli,
  flux,
  kwokctl,
  fluxControllers,
];
