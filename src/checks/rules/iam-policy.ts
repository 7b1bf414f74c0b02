import { cfnModel, isLive, isRecord, items, perEnvironment, type CfnMap, type Scope } from '../cfn-model.js';
import type { RuleModule } from '../context.js';
import { policyDocuments, type PolicyDocument } from '../iam/document.js';
import { checkDocument, iamRuleDefinitions } from '../iam/policy.js';
import type { YamlPath } from '../../yaml/source.js';

/** For the `.ci.yaml` rules: the IAM rules over a plain policy document. */
export { checkPolicyDocument } from '../iam/policy.js';

/** Identities whose policies are a list of `{ PolicyName, PolicyDocument }`. */
const INLINE_POLICY_LISTS = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
/** Resources with one `PolicyDocument`: identity policies and S3, SNS and SQS resource policies. */
const SINGLE_DOCUMENT = new Set([
  'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy',
  'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SNS::TopicInlinePolicy', 'AWS::SQS::QueuePolicy', 'AWS::SQS::QueueInlinePolicy',
]);

/**
 * IAM rules over every policy document in the templates, evaluated in each environment the
 * template allows: actions exist and are not wildcards, writes name their resources, each action
 * fits the resources it is granted on, and S3/DynamoDB/SQS/SNS ARNs name resources declared here.
 */
export const iamPolicyRules: RuleModule = {
  rules: iamRuleDefinitions,
  check({ repo }) {
    const model = cfnModel(repo);
    return model.templates.flatMap((template) =>
      perEnvironment(template, (env) => {
        const scope = model.scope(template, env);
        const declared = () => model.declared(env).map((resource) => resource.arn);
        return Object.entries(template.resources).flatMap(([id, resource]) => {
          if (!isLive(resource.Condition, scope)) return [];
          return documentsOf(id, resource, scope).flatMap(({ doc, where, trust }) =>
            checkDocument(doc, { file: template.file, where, trust, declared, scope }),
          );
        });
      }),
    );
  },
};

function documentsOf(id: string, resource: CfnMap, scope: Scope): { doc: PolicyDocument; where: string; trust?: boolean }[] {
  const type = typeof resource.Type === 'string' ? resource.Type : '';
  const props = isRecord(resource.Properties) ? resource.Properties : {};
  const base: YamlPath = ['Resources', id, 'Properties'];
  const docs = (key: string, where: string, trust = false) =>
    policyDocuments(props[key], [...base, key], scope.template, scope).map((doc) => ({ doc, where, trust }));
  const out: { doc: PolicyDocument; where: string; trust?: boolean }[] = [];
  if (INLINE_POLICY_LISTS.has(type)) {
    for (const { value, path } of items(props.Policies, [...base, 'Policies'], scope)) {
      if (!isRecord(value)) continue;
      const name = typeof value.PolicyName === 'string' ? value.PolicyName : undefined;
      out.push(
        ...policyDocuments(value.PolicyDocument, [...path, 'PolicyDocument'], scope.template, scope).map((doc) => ({
          doc,
          where: name ? `${id} policy ${name}` : id,
        })),
      );
    }
    if (type === 'AWS::IAM::Role') out.push(...docs('AssumeRolePolicyDocument', `${id} trust policy`, true));
  }
  if (SINGLE_DOCUMENT.has(type)) out.push(...docs('PolicyDocument', id));
  return out;
}
