import type { RuleModule } from '../context.js';
import { accessListRules } from './access-lists.js';
import { cfParameterRules } from './cf-parameters.js';
import { cfStatefulRules } from './cf-stateful.js';
import { cfTemplateRules } from './cf-template.js';
import { ciConfigRules } from './ci-config.js';
import { clusterConfigRules } from './cluster-config.js';
import { iamPolicyRules } from './iam-policy.js';
import { importRules } from './imports.js';
import { irsaServiceAccountRules } from './irsa-service-account.js';
import { irsaTrustRules } from './irsa-trust.js';
import { manifestRules } from './manifests.js';
import { nodeGroupRules } from './node-groups.js';
import { releaseRules } from './releases.js';
import { route53Rules } from './route53.js';
import { workflowRules } from './workflows.js';

/** The repository's own rules, one module per area. Adding a rule group means adding it here. */
export const RULE_MODULES: readonly RuleModule[] = [
  cfTemplateRules,
  cfParameterRules,
  cfStatefulRules,
  importRules,
  irsaTrustRules,
  irsaServiceAccountRules,
  iamPolicyRules,
  route53Rules,
  clusterConfigRules,
  nodeGroupRules,
  accessListRules,
  releaseRules,
  manifestRules,
  ciConfigRules,
  workflowRules,
];
