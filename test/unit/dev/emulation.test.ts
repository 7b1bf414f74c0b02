import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../src/cf/template.js';
import { EMULATED, NOT_EMULATED } from '../../../src/dev/emulation.js';
import { installRoot as repoRoot } from '../../../src/paths.js';

/** cf/ and the platform fixture (GUIDE §7's shape): every type either is emulated or says why not. */
const templatesOf = (root: string) =>
  readdirSync(join(root, 'cf'))
    .filter((f) => f.endsWith('.yaml') && f !== 'parameters.yaml')
    .map((f) => loadTemplate(join(root, 'cf', f), root));
const cf = templatesOf(repoRoot);
const platform = templatesOf(join(repoRoot, 'test', 'fixtures', 'platform'));
const templates = [...cf.map((t) => [t.file, t] as const), ...platform.map((t) => [`platform fixture ${t.file}`, t] as const)];

/** The resource types a platform like Cellenics uses beyond the first cf/ (issue 15, GUIDE §7). */
const PLATFORM_CATALOGUE = [
  'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup', 'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::Instance', 'AWS::EC2::VPCEndpoint',
  'AWS::EC2::SecurityGroupIngress', 'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBSubnetGroup',
  'AWS::SecretsManager::Secret', 'AWS::SecretsManager::SecretTargetAttachment', 'AWS::SecretsManager::RotationSchedule',
  'AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::Batch::ComputeEnvironment', 'AWS::Batch::JobQueue', 'AWS::Batch::JobDefinition',
  'AWS::SES::EmailIdentity', 'AWS::Route53::RecordSet', 'AWS::Route53::RecordSetGroup', 'AWS::Cognito::IdentityPool',
  'AWS::Cognito::IdentityPoolRoleAttachment', 'AWS::StepFunctions::StateMachine', 'AWS::SSM::Parameter', 'AWS::ECR::Repository',
];

describe('the emulation lists', () => {
  it('the platform fixture uses every type of the catalogue, and the twin emulates each', () => {
    const used = new Set(platform.flatMap((t) => Object.values(t.doc.Resources).map((r) => r.Type)));
    expect(PLATFORM_CATALOGUE.filter((type) => !used.has(type))).toEqual([]);
    expect(PLATFORM_CATALOGUE.filter((type) => !(type in EMULATED))).toEqual([]);
  });

  it('cf/ and the platform fixture have templates to check', () => {
    expect(cf.length).toBeGreaterThan(0);
    expect(platform.length).toBeGreaterThanOrEqual(20);
  });

  it.each(templates)('every resource type of %s is emulated or listed as not emulated', (_file, template) => {
    const unlisted = Object.values(template.doc.Resources)
      .map((r) => r.Type)
      .filter((type) => !(type in EMULATED) && !(type in NOT_EMULATED));
    expect(unlisted, 'add each type to EMULATED (with its presence check) or NOT_EMULATED (with the reason) in src/dev/emulation.ts').toEqual([]);
  });

  it('no type is in both lists, and every reason says something', () => {
    expect(Object.keys(NOT_EMULATED).filter((t) => t in EMULATED)).toEqual([]);
    for (const reason of Object.values(NOT_EMULATED)) expect(reason.length).toBeGreaterThan(10);
  });
});
