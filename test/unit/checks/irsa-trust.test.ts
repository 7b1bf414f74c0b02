import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { irsaServiceAccounts, irsaTrustRules } from '../../../src/checks/rules/irsa-trust.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { memoryRepo, realRepositoryFindings, runRules } from '../../helpers/check-repo.js';

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
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
      RoleName: !Sub biomage-app-\${Environment}
`;

/** A JSON trust statement inside !Sub, indented for AssumeRolePolicyDocument. */
const jsonTrust = (statement: string, indent = '        ') =>
  `!Sub |\n${indent}{"Version": "2012-10-17", "Statement": [\n${indent}${statement}\n${indent}]}\n`;

const FEDERATED = '"Principal": {"Federated": "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/${OIDCProvider}"}';
const AUD = '"${OIDCProvider}:aud": "sts.amazonaws.com"';
const good = (sub = '"StringEquals": {' + AUD + ', "${OIDCProvider}:sub": "system:serviceaccount:app-${Environment}:app"}') =>
  `{"Effect": "Allow", ${FEDERATED}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {${sub}}}`;

const findings = async (trust: string) =>
  (await runRules([irsaTrustRules], memoryRepo({ 'cf/irsa-app-role.yaml': `${HEAD}      AssumeRolePolicyDocument: ${trust}` }))).map(
    (f) => `${f.line} ${f.rule} ${f.message}`,
  );

describe('irsa trust rules', () => {
  it('accept the trust the real templates use', async () => {
    expect(await findings(jsonTrust(good()))).toEqual([]);
  });

  it('check every branch of Fn::If, naming the environments a finding is limited to', async () => {
    const staging = good(`"StringEquals": {${AUD}, "\${OIDCProvider}:sub": "system:serviceaccount:app-*:app"}`);
    const trust = `!If\n        - IsStaging\n        - ${jsonTrust(staging, '          ')}        - ${jsonTrust(good(), '          ')}`;
    expect(await findings(trust)).toEqual([
      '19 irsa-trust-subject trust policy of Role has subject system:serviceaccount:app-*:app with a wildcard under StringEquals, which compares literally: use StringLike (in staging)',
    ]);
  });

  it('allow only web identities of the OIDC provider parameter', async () => {
    const statement = `{"Effect": "Allow", "Principal": {"Federated": "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/oidc.example", "Service": "ec2.amazonaws.com"},
        "Action": ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRole"], "Condition": {"StringEquals": {${AUD}, "\${OIDCProvider}:sub": "system:serviceaccount:app:app"}}}`;
    expect(await findings(jsonTrust(statement))).toEqual([
      '17 irsa-trust-principal trust policy of Role also trusts Service principal ec2.amazonaws.com',
      '17 irsa-trust-principal trust policy of Role trusts Federated principal arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/oidc.example, not the oidc-provider ARN of ${OIDCProvider}',
      '18 irsa-trust-principal trust policy of Role allows action sts:AssumeRole, not only sts:AssumeRoleWithWebIdentity',
    ]);
    expect(await findings(jsonTrust('{"Effect": "Deny", "Principal": "*", "Action": "sts:*"}'))).toEqual([
      "16 irsa-trust-principal trust policy of Role allows no sts:AssumeRoleWithWebIdentity from the cluster's OIDC provider",
    ]);
    expect(await findings('!Sub |\n        {"Statement": [}\n')).toEqual(['16 irsa-trust-principal trust policy of Role is not valid JSON']);
  });

  it('require the STS audience and an exact service account', async () => {
    const statement = `{"Effect": "Allow", ${FEDERATED}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"\${OIDCProvider}:aud": "sts.amazonaws.com", "\${OIDCProvider}:sub": ["system:serviceaccount:app-*:app", "app:*", "system:serviceaccount:app:*"]}}}`;
    expect(await findings(jsonTrust(statement))).toEqual([
      '18 irsa-trust-audience trust policy of Role does not require StringEquals ${OIDCProvider}:aud = sts.amazonaws.com',
      '18 irsa-trust-subject trust policy of Role has subject app:*, not system:serviceaccount:<namespace>:<serviceaccount>',
      '18 irsa-trust-subject trust policy of Role has subject system:serviceaccount:app:*, with a wildcard for the service account',
    ]);
    const noSubject = `{"Effect": "Allow", ${FEDERATED}, "Action": "sts:AssumeRoleWithWebIdentity",\n        "Condition": {"StringEquals": {"\${OIDCProvider}:aud": "sts.amazonaws.com.evil"}}}`;
    expect(await findings(jsonTrust(noSubject))).toEqual([
      '18 irsa-trust-audience trust policy of Role accepts audience sts.amazonaws.com.evil, not sts.amazonaws.com',
      '18 irsa-trust-subject trust policy of Role does not restrict the subject: no ${OIDCProvider}:sub condition, so any service account in the cluster can assume it',
    ]);
  });

  it('read a trust written as a YAML map, whose condition keys cannot name the parameter', async () => {
    const trust = `
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/\${OIDCProvider}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                oidc.example/id/1:aud: sts.amazonaws.com
`;
    expect(await findings(trust)).toEqual([
      '22 irsa-trust-audience trust policy of Role does not require StringEquals ${OIDCProvider}:aud = sts.amazonaws.com',
      '22 irsa-trust-subject trust policy of Role does not restrict the subject: no ${OIDCProvider}:sub condition, so any service account in the cluster can assume it',
    ]);
  });

  it('report a template without OIDCProvider once, not its trust', async () => {
    const text = `${HEAD.replace('  OIDCProvider:\n    Type: String\n', '')}      AssumeRolePolicyDocument: ${jsonTrust(good())}`;
    const result = await runRules([irsaTrustRules], memoryRepo({ 'cf/irsa-app-role.yaml': text, 'cf/other.yaml': text }));
    expect(result.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['cf/irsa-app-role.yaml:2 irsa-oidc-parameter']);
  });

  it('find nothing in the real templates', async () => {
    expect(await realRepositoryFindings([irsaTrustRules])).toEqual([]);
  });

});

describe('irsaServiceAccounts', () => {
  const real = (name: string) => {
    const file = `cf/${name}.yaml`;
    return memoryRepo({ [file]: readFileSync(join(repoRoot, file), 'utf8') }).templates[0]!;
  };

  it("resolves the subject and role name of the branch each environment deploys", () => {
    const api = real('irsa-api-role');
    expect(irsaServiceAccounts(api, 'production')).toEqual([
      { namespace: 'api-production', serviceAccount: 'deployment-runner', roleName: 'biomage-api-role-production', line: 67 },
    ]);
    expect(irsaServiceAccounts(api, 'staging')).toEqual([
      { namespace: 'api-*', serviceAccount: 'deployment-runner', roleName: 'biomage-api-role-staging', line: 48 },
    ]);
    expect(irsaServiceAccounts(real('irsa-worker-role'), 'development')).toEqual([
      { namespace: 'worker-development', serviceAccount: 'deployment-runner', roleName: 'biomage-worker-role-development', line: 40 },
    ]);
  });

  it('leaves out the role name when the template does not fix it', () => {
    const template = memoryRepo({
      'cf/irsa-x.yaml': `${HEAD.replace(/ {6}RoleName: .*\n/, '')}      AssumeRolePolicyDocument: ${jsonTrust(good())}`,
    }).templates[0]!;
    expect(irsaServiceAccounts(template, 'staging')).toEqual([{ namespace: 'app-staging', serviceAccount: 'app', line: 16 }]);
  });
});
