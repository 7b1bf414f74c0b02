import {
  cfnModel,
  describe,
  eksctlExportPrefix,
  evaluateString,
  isLive,
  isRecord,
  perEnvironment,
  UNKNOWN,
  type Scope,
} from '../cfn-model.js';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import type { YamlPath } from '../../yaml/source.js';

/**
 * Cross-stack references: an import must name an export some template here declares (or the
 * eksctl cluster stack's), and every export must be per environment, or two environments' stacks
 * would collide on one name in the account.
 */
export const importRules: RuleModule = {
  rules: [
    {
      id: 'cf-import-unknown-export',
      rationale: 'an import of an export nobody declares fails the deploy, after the stacks before it have changed',
      fix: 'import an export a template in cf/ or infra/cf-*.yaml declares (check the name and its -${Environment} suffix)',
    },
    {
      id: 'cf-export-without-environment',
      rationale: "export names are unique per account and region: without the environment, staging's and production's stacks collide",
      fix: 'name the export with `!Sub <name>-${Environment}`',
    },
  ],
  check({ repo }) {
    const model = cfnModel(repo);
    const findings: Finding[] = [];
    for (const template of model.templates) {
      findings.push(
        ...perEnvironment(template, (env) => {
          const scope = model.scope(template, env);
          const out: Finding[] = [];
          const visit = (at: { value: unknown; path: YamlPath }) => {
            for (const { value, path } of imports(at.value, at.path, scope)) {
              const name = evaluateString(value, scope);
              if (name.includes(UNKNOWN) || name.startsWith(eksctlExportPrefix(env)) || model.exports(env).has(name)) continue;
              out.push({
                file: template.file,
                line: template.lineOf([...path, 'Fn::ImportValue']),
                rule: 'cf-import-unknown-export',
                message: `import ${describe(value)} names no export declared in cf/ or infra/cf-*.yaml`,
                ...(name.startsWith('eksctl-')
                  ? { fix: `the eksctl cluster stack's exports are named eksctl-biomage-\${Environment}-cluster::<name>` }
                  : {}),
              });
            }
          };
          for (const [id, resource] of Object.entries(template.resources)) {
            if (isLive(resource.Condition, scope)) visit({ value: resource, path: ['Resources', id] });
          }
          for (const [id, output] of Object.entries(template.outputs)) {
            if (isLive(output.Condition, scope)) visit({ value: output, path: ['Outputs', id] });
          }
          return out;
        }),
      );
      if (!template.hasEnvironmentParameter) continue;
      for (const [id, output] of Object.entries(template.outputs)) {
        if (!isRecord(output.Export) || !('Name' in output.Export)) continue;
        if (mentionsEnvironment(output.Export.Name)) continue;
        findings.push({
          file: template.file,
          line: template.lineOf(['Outputs', id, 'Export', 'Name']),
          rule: 'cf-export-without-environment',
          message: `export ${describe(output.Export.Name)} of output ${id} does not contain \${Environment}`,
        });
      }
    }
    return findings;
  },
};

/** Every `Fn::ImportValue` in live branches: the import's argument and the path of the map holding it. */
function imports(value: unknown, path: YamlPath, scope: Scope): { value: unknown; path: YamlPath }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => imports(item, [...path, index], scope));
  if (!isRecord(value)) return [];
  const branches = value['Fn::If'];
  if (Array.isArray(branches) && typeof branches[0] === 'string' && scope.conditions.has(branches[0])) {
    const index = scope.conditions.get(branches[0]) ? 1 : 2;
    return imports(branches[index], [...path, 'Fn::If', index], scope);
  }
  if ('Fn::ImportValue' in value) return [{ value: value['Fn::ImportValue'], path }];
  return Object.entries(value).flatMap(([key, inner]) => imports(inner, [...path, key], scope));
}

/** Whether a value refers to the Environment parameter: `!Ref Environment` or `${Environment}` in a Sub. */
function mentionsEnvironment(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsEnvironment);
  if (!isRecord(value)) return false;
  if (value.Ref === 'Environment') return true;
  const sub = value['Fn::Sub'];
  const text: unknown = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text === 'string' && /\$\{\s*Environment\s*\}/.test(text)) return true;
  return Object.values(value).some(mentionsEnvironment);
}
