import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.js';
import { ciConfigRules } from '../../../src/checks/rules/ci-config.js';
import { loadCiConfig, parseCiConfig } from '../../../src/config/ci-config.js';
import { InputError } from '../../../src/ui/errors.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const GOOD = `ci-policies:
  - PolicyName: deploy-releases
    PolicyDocument:
      Version: '2012-10-17'
      Statement:
        - Effect: Allow
          Action:
            - eks:DescribeCluster
          Resource: arn:aws:eks:eu-west-1:123456789012:cluster/biomage-staging
`;

const run = async (text: string, file = '.ci.yaml') => await ciConfigRules.check(checkContext({ [file]: text }));
const lines = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);

describe('ci-config-schema', () => {
  it('accepts a valid config, as .ci.yaml or .ci.yml', async () => {
    expect(await run(GOOD)).toEqual([]);
    expect(await run(GOOD, '.ci.yml')).toEqual([]);
  });

  it('reports every schema problem at the line of its field, unknown keys included', async () => {
    const text = `ci-policies:
  - PolicyName: deploy releases
    PolicyDocument:
      Version: '2008-10-17'
      Statement: []
  - PolicyDocument:
      Version: '2012-10-17'
      Statment:
        - Effect: Allow
    Description: typo'd key
extra: true
`;
    expect(lines(await run(text))).toEqual([
      '.ci.yaml:2 ci-config-schema ci-policies[0].PolicyName must be 1-128 letters, digits or +=,.@_- (an IAM policy name) (found "deploy releases")',
      '.ci.yaml:4 ci-config-schema ci-policies[0].PolicyDocument.Version must be "2012-10-17" (found "2008-10-17")',
      '.ci.yaml:5 ci-config-schema ci-policies[0].PolicyDocument.Statement must not be empty',
      '.ci.yaml:6 ci-config-schema ci-policies[1].PolicyName is missing',
      '.ci.yaml:6 ci-config-schema ci-policies[1].PolicyDocument.Statement is missing',
      '.ci.yaml:8 ci-config-schema ci-policies[1].PolicyDocument.Statment is not a known field',
      '.ci.yaml:10 ci-config-schema ci-policies[1].Description is not a known field',
      '.ci.yaml:11 ci-config-schema extra is not a known field',
    ]);
  });

  it('reports a repeated policy name, a missing list and a document that is not a mapping', async () => {
    const twice = GOOD + GOOD.replace('ci-policies:\n', '');
    expect(lines(await run(twice))).toEqual(['.ci.yaml:10 ci-config-schema ci-policies[1].PolicyName repeats ci-policies[0].PolicyName deploy-releases']);
    expect(lines(await run('ci-policies: []\n'))).toEqual(['.ci.yaml:1 ci-config-schema ci-policies must not be empty']);
    expect(lines(await run('- a\n'))).toEqual(['.ci.yaml:1 ci-config-schema the document must be a mapping (found a list)']);
  });

  it('applies the IAM policy rules to each policy document', async () => {
    const wildcard = GOOD.replace('eks:DescribeCluster', "'*'");
    const findings = await run(wildcard);
    expect(findings.map((f) => `${f.line} ${f.rule}`)).toEqual(['8 iam-wildcard-action']);
  });
});

describe('parseCiConfig', () => {
  it('returns the typed config, or problems with lines', () => {
    expect(parseCiConfig(GOOD, '.ci.yaml').config?.['ci-policies'][0]?.PolicyName).toBe('deploy-releases');
    expect(parseCiConfig('ci-policies: [\n', '.ci.yaml').problems[0]?.message).toMatch(/^\.ci\.yaml is not valid YAML: /);
    expect(parseCiConfig('extra: 1\n', '.ci.yaml').problems.map((p) => `${p.line} ${p.message}`)).toEqual(['1 ci-policies is missing', '1 extra is not a known field']);
  });

  it('loadCiConfig: an invalid config is bad input, at the first problem', () => {
    const error = (() => {
      try {
        loadCiConfig('ci-policies:\n  - PolicyName: x\n', '.ci.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).where).toBe('.ci.yaml:2');
    expect((error as InputError).message).toBe('.ci.yaml is not a valid CI config: ci-policies[0].PolicyDocument is missing');
  });
});
