import { describe, expect, it } from 'vitest';
import {
  changedParameterEntries,
  parametersFile,
  parseParametersText,
  rejections,
  resolveParameters,
  runParameterValues,
  unknownTemplates,
  type ParameterDeclarations,
  type ParametersFile,
} from '../../../src/cf/parameters.js';
import type { Template } from '../../../src/cf/template.js';
import { ENVIRONMENTS } from '../../../src/config/environments.js';
import { InputError } from '../../../src/ui/errors.js';

const file = (text: string): ParametersFile => parametersFile(parseParametersText(text));
const problems = (f: ParametersFile) => f.problems.map((p) => `${p.file}:${p.line} ${p.rule} ${p.message}`);

/** A template declaring `parameters`, whose declaration of P sits at line 10 + its index. */
function declarations(name: string, parameters: Record<string, unknown>): ParameterDeclarations {
  const names = Object.keys(parameters);
  return {
    file: `cf/${name}.yaml`,
    name,
    parameters: { Environment: { Type: 'String' }, ...parameters },
    lineOf: (path) => (path[0] === 'Parameters' && typeof path[1] === 'string' ? 10 + names.indexOf(path[1]) : 1),
  };
}

const resolve = (text: string, template: ParameterDeclarations, envs = [...ENVIRONMENTS]) => {
  const resolved = resolveParameters(file(text), template, envs);
  return {
    values: Object.fromEntries([...resolved.values].map(([env, list]) => [env, Object.fromEntries(list.map((v) => [v.key, v.value]))])),
    problems: resolved.problems.map((p) => `${p.file}:${p.line} ${p.rule} ${p.message}`),
    fixes: resolved.problems.map((p) => p.fix),
  };
};

describe('reading cf/parameters.yaml', () => {
  it('keeps scalars as written: what CloudFormation gets is the text of the file', () => {
    const cache = declarations('cache', {
      EngineVersion: { Type: 'String' },
      Port: { Type: 'Number' },
      Encrypted: { Type: 'String' },
      Zones: { Type: 'CommaDelimitedList' },
      Sizes: { Type: 'List<Number>' },
    });
    const text = 'cache:\n  EngineVersion: 13.10\n  Port: 0006379\n  Encrypted: true\n  Zones: [a, b]\n  Sizes:\n    - 1\n    - 2.50\n';
    expect(resolve(text, cache, ['staging'])).toEqual({
      values: { staging: { EngineVersion: '13.10', Port: '0006379', Encrypted: 'true', Zones: 'a,b', Sizes: '1,2.50' } },
      problems: [],
      fixes: [],
    });
  });

  it('a missing or empty file holds no values', () => {
    expect(parametersFile(undefined).entries.size).toBe(0);
    expect(file('').problems).toEqual([]);
    expect(file('# nothing yet\n').entries.size).toBe(0);
  });

  it('gives one value to every environment, or one per environment (the others get the Default)', () => {
    const ui = declarations('ui', { Domain: { Type: 'String', Default: 'localhost' }, Replicas: { Type: 'Number', Default: 1 } });
    const text = 'ui:\n  Domain:\n    staging: staging.example.org\n    production: example.org\n  Replicas: 3\n';
    expect(resolve(text, ui).values).toEqual({
      development: { Replicas: '3' },
      staging: { Domain: 'staging.example.org', Replicas: '3' },
      production: { Domain: 'example.org', Replicas: '3' },
    });
  });

  it('reports its own shape: not a mapping, a template that is not a mapping, no value, a nested mapping, deploy-cf\'s parameters', () => {
    expect(problems(file('- a\n- b\n'))).toEqual(['cf/parameters.yaml:1 cf-parameters-file cf/parameters.yaml must be a mapping of template names to their parameters']);
    expect(problems(file('a: 1\n---\nb: 2\n'))).toEqual(['cf/parameters.yaml:3 cf-parameters-file cf/parameters.yaml holds more than one YAML document']);
    expect(
      problems(
        file(
          [
            'topic: just-a-string',
            'queue:',
            '  Name:',
            '  Environment: staging',
            '  OIDCProvider: oidc.example.org',
            '  Sizes: [1, [2, 3]]',
            '  Nested:',
            '    staging:',
            '      deeper: 1',
            '  Empty:',
            '    production: ~',
            '',
          ].join('\n'),
        ),
      ),
    ).toEqual([
      'cf/parameters.yaml:1 cf-parameters-file topic must be a mapping of parameter names to values',
      'cf/parameters.yaml:3 cf-parameters-file queue.Name has no value',
      'cf/parameters.yaml:4 cf-parameters-file queue.Environment is filled in by deploy-cf for each environment, not by cf/parameters.yaml',
      'cf/parameters.yaml:5 cf-parameters-file queue.OIDCProvider is filled in by deploy-cf for each environment, not by cf/parameters.yaml',
      'cf/parameters.yaml:6 cf-parameters-file queue.Sizes is a list holding a list, a mapping or an empty item: a value is one value or a list of values, or one per environment',
      'cf/parameters.yaml:8 cf-parameters-file queue.Nested.staging is a mapping: a value is one value or a list of values',
      'cf/parameters.yaml:11 cf-parameters-file queue.Empty.production has no value',
    ]);
  });

  it('an environment key that is not an environment', () => {
    expect(problems(file('queue:\n  Name:\n    staging: a\n    prod: b\n    Production: c\n'))).toEqual([
      'cf/parameters.yaml:4 cf-parameter-environment queue.Name.prod: prod is not an environment (development, staging, production)',
      'cf/parameters.yaml:5 cf-parameter-environment queue.Name.Production: Production is not an environment (development, staging, production)',
    ]);
  });

  it('a template that does not exist', () => {
    const f = file('queue:\n  Name: a\nqueues:\n  Name: b\n');
    expect(unknownTemplates(f, ['queue', 'topic']).map((p) => `${p.line} ${p.rule} ${p.message}`)).toEqual([
      '3 cf-parameter-unknown queues is not a template: there is no template cf/queues.yaml',
    ]);
  });
});

describe('resolving a template against the file', () => {
  it('a parameter the template does not declare', () => {
    const queue = declarations('queue', { Name: { Type: 'String', Default: 'jobs' } });
    expect(resolve('queue:\n  Nmae: work\n', queue).problems).toEqual(['cf/parameters.yaml:2 cf-parameter-unknown queue.Nmae: cf/queue.yaml has no parameter Nmae']);
  });

  it('a parameter with no Default and no value: one finding at its declaration, naming every environment it lacks', () => {
    const dns = declarations('dns', { Zone: { Type: 'String' }, Domain: { Type: 'String' }, Ttl: { Type: 'Number', Default: 300 } });
    const text = 'dns:\n  Domain:\n    staging: staging.example.org\n';
    const { problems: found, fixes } = resolve(text, dns);
    expect(found).toEqual([
      'cf/dns.yaml:10 cf-parameter-missing parameter Zone has no Default and no value for development, staging, production in cf/parameters.yaml',
      'cf/dns.yaml:11 cf-parameter-missing parameter Domain has no Default and no value for development, production in cf/parameters.yaml',
    ]);
    expect(fixes).toEqual([
      'add `Zone: <value>` (or one value per environment) under `dns:` in cf/parameters.yaml, or give the parameter a Default',
      'add a value for development, production under `dns:` → `Domain:` in cf/parameters.yaml, or give the parameter a Default',
    ]);
    // deploy-cf asks for its one environment only.
    expect(resolve(text, dns, ['staging']).problems).toEqual([
      'cf/dns.yaml:10 cf-parameter-missing parameter Zone has no Default and no value for staging in cf/parameters.yaml',
    ]);
  });

  it('Environment, and OIDCProvider in an IRSA template, are never missing: deploy-cf fills them', () => {
    const role = declarations('irsa-api-role', { OIDCProvider: { Type: 'String' } });
    expect(resolve('', role).problems).toEqual([]);
    const other = declarations('queue', { OIDCProvider: { Type: 'String' } });
    expect(resolve('', other).fixes).toEqual(['give it a Default: deploy-cf fills OIDCProvider only in IRSA templates (cf/irsa-*.yaml)']);
  });

  it('a value shared by every environment is checked once; per-environment values each, named by environment', () => {
    const queue = declarations('queue', { Retention: { Type: 'Number', MaxValue: 1209600 }, Name: { Type: 'String', AllowedPattern: '[a-z-]+' } });
    const text = 'queue:\n  Retention: 2000000\n  Name:\n    development: dev-jobs\n    staging: Staging_Jobs\n    production: PRODUCTION\n';
    expect(resolve(text, queue).problems).toEqual([
      'cf/parameters.yaml:2 cf-parameter-value queue.Retention: "2000000" is over the MaxValue 1209600',
      'cf/parameters.yaml:5 cf-parameter-value queue.Name.staging: "Staging_Jobs" does not match the AllowedPattern [a-z-]+',
      'cf/parameters.yaml:6 cf-parameter-value queue.Name.production: "PRODUCTION" does not match the AllowedPattern [a-z-]+',
    ]);
  });

  it('a value equal to the Default is not sent, and is reported (not a deploy-stopping problem)', () => {
    const queue = declarations('queue', { Name: { Type: 'String', Default: 'jobs' }, Sizes: { Type: 'List<Number>', Default: '1,2' } });
    const resolved = resolve('queue:\n  Name: jobs\n  Sizes: [1, 2]\n', queue, ['staging']);
    expect(resolved.values).toEqual({ staging: {} });
    expect(resolved.problems).toEqual([
      "cf/parameters.yaml:2 cf-parameter-default queue.Name is the template's Default (jobs): deploy-cf does not send it",
      "cf/parameters.yaml:3 cf-parameter-default queue.Sizes is the template's Default (1,2): deploy-cf does not send it",
    ]);
  });

  it('a NoEcho value never appears in a message', () => {
    const db = declarations('db', { Password: { Type: 'String', NoEcho: true, MinLength: 12, Default: 'not-a-secret-1' } });
    const resolved = resolveParameters(file('db:\n  Password:\n    staging: hunter2\n    production: not-a-secret-1\n'), db, [...ENVIRONMENTS]);
    const text = JSON.stringify(resolved.problems);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('not-a-secret-1');
    expect(resolved.problems.map((p) => p.message)).toEqual([
      'db.Password.staging: the value is 7 characters, under the MinLength 12',
      "db.Password.production is the template's Default: deploy-cf does not send it",
    ]);
    expect(resolved.values.get('staging')).toEqual([{ key: 'Password', value: 'hunter2', noEcho: true }]);
  });
});

describe("rejections: CloudFormation's checks of a parameter value", () => {
  it.each([
    ['String takes one value', { Type: 'String' }, ['a', 'b'], ['a list, but String takes one value']],
    ['Number must be numeric', { Type: 'Number' }, '12px', ['"12px" is not a number']],
    ['Number accepts integers, decimals and exponents', { Type: 'Number' }, '-1.5e3', []],
    ['Number under MinValue', { Type: 'Number', MinValue: 1 }, '0', ['"0" is under the MinValue 1']],
    ['Number over MaxValue', { Type: 'Number', MaxValue: '10' }, '10.5', ['"10.5" is over the MaxValue 10']],
    ['Number takes one value', { Type: 'Number' }, ['1'], ['a list, but Number takes one value']],
    ['List<Number> checks each item', { Type: 'List<Number>' }, ['1', 'two', '3'], ['item 2 "two" is not a number']],
    ['List<Number> written as one string', { Type: 'List<Number>' }, '1,x', ['item 2 "x" is not a number']],
    ['AllowedValues on a String', { Type: 'String', AllowedValues: ['small', 'large'] }, 'medium', ['"medium" is not one of the AllowedValues [small, large]']],
    ['AllowedValues on each item of a list', { Type: 'CommaDelimitedList', AllowedValues: ['a', 'b'] }, ['a', 'c'], ['item 2 "c" is not one of the AllowedValues [a, b]']],
    ['AllowedValues compares as text', { Type: 'Number', AllowedValues: [1, 2] }, '2', []],
    ['AllowedPattern must match the whole value', { Type: 'String', AllowedPattern: '[a-z]+' }, 'abc1', ['"abc1" does not match the AllowedPattern [a-z]+']],
    ['AllowedPattern that is already anchored', { Type: 'String', AllowedPattern: '^[a-z]+$' }, 'abc', []],
    ['AllowedPattern alternatives are anchored as a whole', { Type: 'String', AllowedPattern: 'a|b' }, 'ab', ['"ab" does not match the AllowedPattern a|b']],
    ['AllowedPattern on each item of a CommaDelimitedList', { Type: 'CommaDelimitedList', AllowedPattern: '[0-9]+' }, '1,x', ['item 2 "x" does not match the AllowedPattern [0-9]+']],
    ['ConstraintDescription says why', { Type: 'String', AllowedPattern: '[a-z.]+', ConstraintDescription: 'a lower-case domain' }, 'A.org', ['"A.org" does not match the AllowedPattern [a-z.]+ (a lower-case domain)']],
    ['MinLength', { Type: 'String', MinLength: 3 }, 'ab', ['"ab" is 2 characters, under the MinLength 3']],
    ['MaxLength', { Type: 'String', MaxLength: '3' }, 'abcd', ['"abcd" is 4 characters, over the MaxLength 3']],
    ['several reasons at once', { Type: 'String', MaxLength: 2, AllowedValues: ['a'] }, 'abc', ['"abc" is not one of the AllowedValues [a]', '"abc" is 3 characters, over the MaxLength 2']],
    ['a list item with a comma would split', { Type: 'CommaDelimitedList' }, ['a,b'], ['item 1 "a,b" contains a comma, which would split it in two']],
    ['AWS-specific types pass through', { Type: 'AWS::EC2::VPC::Id', AllowedPattern: 'never' }, 'vpc-anything', []],
    ['their lists too', { Type: 'List<AWS::EC2::Subnet::Id>' }, ['subnet-1', 'subnet-2'], []],
    ['SSM parameter types pass through', { Type: 'AWS::SSM::Parameter::Value<String>' }, '/biomage/domain', []],
    ['an SSM type takes the parameter name, even for a list', { Type: 'AWS::SSM::Parameter::Value<List<String>>' }, ['a', 'b'], ['a list, but AWS::SSM::Parameter::Value<List<String>> takes one value']],
    ['a pattern JavaScript cannot compile is left to cfn-lint', { Type: 'String', AllowedPattern: '(unclosed' }, 'x', []],
    ['a NoEcho value is not quoted', { Type: 'String', NoEcho: true, AllowedValues: ['x'] }, 'secret', ['the value is not one of the AllowedValues [x]']],
  ] as const)('%s', (_name, declaration, value, expected) => {
    const noEcho = 'NoEcho' in declaration;
    expect(rejections(declaration, value as string | string[], noEcho)).toEqual(expected);
  });
});

function thrown(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    return error as InputError;
  }
  throw new Error('expected an error');
}

describe("deploy-cf's values for a run", () => {
  const template = (name: string, parameters: Record<string, unknown>): Template => ({
    file: `cf/${name}.yaml`,
    name,
    irsa: false,
    body: `Parameters:\n  Environment:\n    Type: String\n${Object.keys(parameters).map((p) => `  ${p}:\n    Type: String\n`).join('')}Resources: {}\n`,
    doc: { Parameters: { Environment: { Type: 'String' }, ...(parameters as Record<string, { Type: string }>) }, Resources: {} },
  });

  it('the values per template file, sorted by name; nothing from the file is an empty list', () => {
    const values = runParameterValues(file('dns:\n  Zone: Z1\n  Domain: example.org\n'), [template('dns', { Zone: {}, Domain: {} }), template('topic', {})], ['dns', 'topic'], 'staging');
    expect(Object.fromEntries(values)).toEqual({
      'cf/dns.yaml': [
        { key: 'Domain', value: 'example.org', noEcho: false },
        { key: 'Zone', value: 'Z1', noEcho: false },
      ],
      'cf/topic.yaml': [],
    });
  });

  it('every problem of the run in one InputError, each with its file:line and next step', () => {
    const run = () =>
      runParameterValues(
        file('dns:\n  Zone: Z1\n  Extra: x\n  Domain:\n    prod: example.org\nmissing:\n  A: b\n'),
        [template('dns', { Zone: { Type: 'String' }, Domain: { Type: 'String' } })],
        ['dns'],
        'staging',
      );
    const error = thrown(run);
    expect(error).toBeInstanceOf(InputError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        'the template parameters for staging have 4 problems:',
        '  cf/dns.yaml:6: parameter Domain has no Default and no value for staging in cf/parameters.yaml',
        '    next: add a value for staging under `dns:` → `Domain:` in cf/parameters.yaml, or give the parameter a Default',
        '  cf/parameters.yaml:3: dns.Extra: cf/dns.yaml has no parameter Extra',
        '    next: use a parameter cf/dns.yaml declares (Zone, Domain), or remove it',
        '  cf/parameters.yaml:5: dns.Domain.prod: prod is not an environment (development, staging, production)',
        '    next: name one of development, staging, production, or give one value for every environment',
        '  cf/parameters.yaml:6: missing is not a template: there is no template cf/missing.yaml',
        '    next: key each template by its basename (cf/cognito.yaml → cognito), or remove the entry',
      ].join('\n'),
    );
    expect(error.where).toBe('cf/dns.yaml:6');
  });

  it('one problem is the error itself', () => {
    expect(() => runParameterValues(file('nope:\n  A: b\n'), [], ['dns'], 'staging')).toThrow(
      expect.objectContaining({ message: 'nope is not a template: there is no template cf/nope.yaml', where: 'cf/parameters.yaml:1' }),
    );
  });

  it('a value equal to the Default does not stop the run', () => {
    const dns = template('dns', {});
    dns.doc.Parameters!.Ttl = { Type: 'Number', Default: 300 };
    expect(runParameterValues(file('dns:\n  Ttl: 300\n'), [dns], ['dns'], 'staging').get('cf/dns.yaml')).toEqual([]);
  });
});

describe('--changed-since: the templates whose entries changed', () => {
  it.each([
    ['a changed value', 'a:\n  X: 1\nb:\n  Y: 2\n', 'a:\n  X: 1\nb:\n  Y: 3\n', ['b']],
    ['a value per environment', 'a:\n  X: 1\n', 'a:\n  X:\n    staging: 1\n', ['a']],
    ['key order and comments do not count', 'a:\n  X: 1\n  Y: 2\n', '# sorted\na:\n  Y: 2\n  X: 1\n', []],
    ['the text as written counts: 1.10 is not 1.1', 'a:\n  X: 1.10\n', 'a:\n  X: 1.1\n', ['a']],
    ['an entry added or removed', 'a:\n  X: 1\n', 'b:\n  X: 1\n', ['a', 'b']],
    ['the file created', undefined, 'a:\n  X: 1\n', ['a']],
    ['the file deleted: back to the Defaults', 'a:\n  X: 1\n', undefined, ['a']],
    ['a version that does not parse counts as empty', 'a:\n  X: 1\n', 'a: [\n', ['a']],
  ] as const)('%s', (_name, before, after, expected) => {
    expect(changedParameterEntries(before, after)).toEqual(expected);
  });
});
