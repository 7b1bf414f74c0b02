import { describe, expect, it } from 'vitest';
import type { RenderedManifest } from '../../../src/checks/context.js';
import type { Finding } from '../../../src/checks/finding.js';
import { irsaServiceAccountRules, roleNameOfArn } from '../../../src/checks/rules/irsa-service-account.js';
import type { Environment } from '../../../src/config/environments.js';
import { checkContext, manifest } from '../../helpers/check-repo-k8s.js';

/** Like cf/irsa-api-role.yaml: staging trusts every api-* namespace (sandboxes), others exactly api-<env>. */
const ROLE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [development, staging, production]
  OIDCProvider:
    Type: String
Conditions:
  IsStaging: !Equals [!Ref Environment, staging]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub biomage-api-role-\${Environment}
      AssumeRolePolicyDocument: !If
        - IsStaging
        - !Sub |
          {
            "Version": "2012-10-17",
            "Statement": [{
              "Effect": "Allow",
              "Principal": {"Federated": "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/\${OIDCProvider}"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {
                "StringEquals": {"\${OIDCProvider}:aud": "sts.amazonaws.com"},
                "StringLike": {"\${OIDCProvider}:sub": "system:serviceaccount:api-*:deployment-runner"}
              }
            }]
          }
        - !Sub |
          {
            "Version": "2012-10-17",
            "Statement": [{
              "Effect": "Allow",
              "Principal": {"Federated": "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/\${OIDCProvider}"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {
                "StringEquals": {
                  "\${OIDCProvider}:aud": "sts.amazonaws.com",
                  "\${OIDCProvider}:sub": "system:serviceaccount:api-\${Environment}:deployment-runner"
                }
              }
            }]
          }
`;

const serviceAccount = (env: Environment | undefined, namespace: string, roleArn?: string, name = 'deployment-runner'): RenderedManifest =>
  manifest(
    'charts/api/templates/service-account.yaml',
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, ...(roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': roleArn } } : {}) },
    },
    env ? { origin: `releases/${env}/api.yaml`, environment: env, namespace } : { namespace },
  );

/** A release file: the rule judges roles only once releases/ holds one (the renderings are given). */
const SOME_RELEASE = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: other\n';
const run = async (rendered: RenderedManifest[]) =>
  await irsaServiceAccountRules.check(checkContext({ 'cf/irsa-api-role.yaml': ROLE, 'releases/development/other.yaml': SOME_RELEASE }, { rendered }));
const lines = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.message}`);

describe('irsa-service-account', () => {
  it('passes when a release of one environment renders the service account with the role', async () => {
    expect(await run([serviceAccount('staging', 'api-sandbox-7', 'arn:aws:iam::123456789012:role/biomage-api-role-staging')])).toEqual([]);
    expect(await run([serviceAccount('production', 'api-production', 'arn:aws:iam::123456789012:role/team/biomage-api-role-production')])).toEqual([]);
  });

  it('reports the subject line of each environment with renderings, listing what was expected', async () => {
    const findings = await run([serviceAccount('staging', 'api-staging', undefined, 'api')]);
    expect(lines(findings)).toEqual([
      'cf/irsa-api-role.yaml:26 no chart or release renders the service account this role trusts: expected ServiceAccount deployment-runner in namespace api-* with role biomage-api-role-staging (staging)',
    ]);
    expect(findings[0]!.rule).toBe('irsa-service-account');
  });

  it('is silent while releases/ holds no release, even when a chart renders (its defaults carry no role)', async () => {
    const chartOnly = [serviceAccount(undefined, 'default', undefined, 'other')];
    expect(await irsaServiceAccountRules.check(checkContext({ 'cf/irsa-api-role.yaml': ROLE }, { rendered: chartOnly }))).toEqual([]);
  });

  it("lists every environment when only charts' defaults are rendered", async () => {
    expect(lines(await run([serviceAccount(undefined, 'default', undefined, 'other')]))).toEqual([
      'cf/irsa-api-role.yaml:40 no chart or release renders the service account this role trusts: expected ServiceAccount deployment-runner in namespace api-<env> with role biomage-api-role-<env> (development, production)',
      'cf/irsa-api-role.yaml:26 no chart or release renders the service account this role trusts: expected ServiceAccount deployment-runner in namespace api-* with role biomage-api-role-staging (staging)',
    ]);
  });

  it("reports a release's service account that fits the trust but names another role, or none", async () => {
    const findings = await run([
      serviceAccount('staging', 'api-staging', 'arn:aws:iam::123456789012:role/biomage-api-role-production'),
      serviceAccount('production', 'api-production'),
    ]);
    expect(lines(findings)).toEqual([
      'cf/irsa-api-role.yaml:26 service account deployment-runner in namespace api-staging (release releases/staging/api.yaml) fits the trust for staging but its eks.amazonaws.com/role-arn names role biomage-api-role-production; expected role biomage-api-role-staging',
      'cf/irsa-api-role.yaml:40 service account deployment-runner in namespace api-production (release releases/production/api.yaml) fits the trust for production but has no eks.amazonaws.com/role-arn annotation; expected role biomage-api-role-production',
    ]);
    expect(findings[0]!.fix).toBe("annotate it `eks.amazonaws.com/role-arn: arn:aws:iam::<account>:role/biomage-api-role-staging` in the release's values");
  });

  it('spells out each environment when <env> does not say it all', async () => {
    const findings = await run([serviceAccount('staging', 'api-staging', undefined, 'api'), serviceAccount('production', 'api-production', undefined, 'api')]);
    expect(lines(findings)).toEqual([
      'cf/irsa-api-role.yaml:26 no chart or release renders the service account this role trusts: expected ServiceAccount deployment-runner in namespace api-* with role biomage-api-role-staging (staging)',
      'cf/irsa-api-role.yaml:40 no chart or release renders the service account this role trusts: expected ServiceAccount deployment-runner in namespace api-production with role biomage-api-role-production (production)',
    ]);
  });

  it('accepts a release of a chart from a chart repository into a namespace the trust matches (not checkable offline)', async () => {
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: api
  namespace: flux-system
spec:
  interval: 5m
  targetNamespace: api-production
  chart:
    spec:
      chart: api
      sourceRef:
        kind: HelmRepository
        name: biomage
`;
    const rendered = [serviceAccount('staging', 'api-staging', undefined, 'api')];
    const ctx = checkContext({ 'cf/irsa-api-role.yaml': ROLE, 'releases/production/api.yaml': release }, { rendered });
    expect(await irsaServiceAccountRules.check(ctx)).toEqual([]);
  });

  it("counts a chart's defaults for any environment", async () => {
    const chart = serviceAccount(undefined, 'default', 'arn:aws:iam::123456789012:role/biomage-api-role-development');
    chart.value.metadata = { ...(chart.value.metadata as object), namespace: 'api-development' };
    expect(await run([chart])).toEqual([]);
  });
});

describe('roleNameOfArn', () => {
  it('takes the name after role/ and any path', () => {
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/x')).toBe('x');
    expect(roleNameOfArn('arn:aws-cn:iam::123456789012:role/a/b/x')).toBe('x');
    expect(roleNameOfArn('arn:aws:iam::123456789012:user/x')).toBeUndefined();
    expect(roleNameOfArn('biomage-api-role-staging')).toBeUndefined();
  });
});
