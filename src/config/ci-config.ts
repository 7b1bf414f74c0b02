import { z } from 'zod';
import { parseYamlFile, type YamlDocument } from '../yaml/source.js';
import { InputError } from '../ui/errors.js';
import { schemaProblems, type SchemaProblem } from './schema-problems.js';

/**
 * `.ci.yaml`: the IAM policies of the CI user (`rotate-ci` puts them on it). Strict: an unknown
 * key is a typo that would otherwise silently drop a grant or a restriction.
 */
export const CI_CONFIG_FILES = ['.ci.yaml', '.ci.yml'] as const;

/** IAM's own limits for a policy name. */
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
export const POLICY_VERSION = '2012-10-17';

export const policyDocumentSchema = z.strictObject({
  // The only version with policy variables; the 2008 one reads `${aws:username}` literally.
  Version: z.literal(POLICY_VERSION),
  Id: z.string().optional(),
  // Statements are judged by the IAM policy rules, which know actions, resources and conditions.
  Statement: z.array(z.record(z.string(), z.unknown())).min(1),
});

const ciPolicySchema = z.strictObject({
  PolicyName: z.string().regex(POLICY_NAME, { error: 'must be 1-128 letters, digits or +=,.@_- (an IAM policy name)' }),
  PolicyDocument: policyDocumentSchema,
});

export const ciConfigSchema = z
  .strictObject({
    'ci-policies': z.array(ciPolicySchema).min(1),
  })
  .superRefine((config, ctx) => {
    // IAM keeps one policy per name: a second one with the same name replaces the first.
    const seen = new Map<string, number>();
    config['ci-policies'].forEach((policy, index) => {
      const first = seen.get(policy.PolicyName);
      if (first === undefined) seen.set(policy.PolicyName, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['ci-policies', index, 'PolicyName'],
          message: `repeats ci-policies[${first}].PolicyName ${policy.PolicyName}`,
        });
      }
    });
  });

export type CiConfig = z.infer<typeof ciConfigSchema>;
export type CiPolicy = CiConfig['ci-policies'][number];

export interface ParsedCiConfig {
  /** Present when the file is valid. */
  config?: CiConfig;
  problems: SchemaProblem[];
  /** The parsed document, for the lines of what the config holds. */
  document?: YamlDocument;
}

/** Parse and validate a `.ci.yaml`; every problem has the line of the field it is about. */
export function parseCiConfig(text: string, file: string): ParsedCiConfig {
  const yaml = parseYamlFile(text);
  if (yaml.errors.length) {
    return { problems: yaml.errors.map((e) => ({ path: [], line: e.line, message: `${file} is not valid YAML: ${e.message}` })) };
  }
  if (yaml.documents.length !== 1) {
    return { problems: [{ path: [], line: yaml.documents[1]?.line ?? 1, message: `${file} must hold one YAML document, not ${yaml.documents.length}` }] };
  }
  const [document] = yaml.documents;
  if (!document) throw new Error('internal: a YAML file of one document has no document');
  const result = ciConfigSchema.safeParse(document.value);
  if (result.success) return { config: result.data, problems: [], document };
  return { problems: schemaProblems(result.error, document.value, document.lineOf), document };
}

/** Parse a `.ci.yaml` for a command: invalid is bad input, reported at the first problem's line. */
export function loadCiConfig(text: string, file: string): CiConfig {
  const { config, problems } = parseCiConfig(text, file);
  if (config) return config;
  const [first] = problems;
  throw new InputError(`${file} is not a valid CI config: ${problems.map((p) => p.message).join('; ')}`, {
    where: `${file}:${first?.line ?? 1}`,
    hint: 'run `biomage check` for every problem with its line, and fix them',
  });
}
