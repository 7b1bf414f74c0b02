import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REGION, ENVIRONMENTS } from '../../src/config/environments.js';
import { isTemplateFileName } from '../../src/cf/layout.js';
import { parseCfnYaml } from '../../src/yaml/cfn.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { formatFinding } from '../../src/checks/report/text.js';
import { ruleOf, runCheck } from '../../src/checks/run-check.js';

const cfDir = join(repoRoot, 'cf');
const files = readdirSync(cfDir)
  .filter((f) => f.endsWith('.yaml') && isTemplateFileName(f))
  .sort();


interface Template {
  Description?: unknown;
  Parameters?: Record<string, { Type?: string; AllowedValues?: unknown[]; Default?: unknown }>;
  Resources?: Record<string, unknown>;
  Outputs?: Record<string, { Export?: { Name?: unknown } }>;
}

const templates = files.map((file) => {
  const text = readFileSync(join(cfDir, file), 'utf8');
  return { file, text, doc: parseCfnYaml(text).value as Template };
});

/** The export name as written, `biomage-x-${Environment}`, when it is a plain `!Sub`. */
function subName(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const sub = (value as Record<string, unknown>)['Fn::Sub'];
  return typeof sub === 'string' ? sub : undefined;
}

describe('CloudFormation templates (cf/)', () => {
  it('there are templates to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  // cfn-lint, portability (no literal partition/account/region), the Environment parameter and
  // every import resolving to an export are rules of `biomage check`, run over the whole repository.
  it('the repository passes biomage check', async () => {
    const report = await runCheck({
      root: repoRoot,
      paths: [],
      cwd: repoRoot,
      region: DEFAULT_REGION,
      base: { name: 'HEAD', read: async () => undefined },
    });
    expect(report.findings.map((f) => formatFinding(f, ruleOf))).toEqual([]);
  });

  it.each(templates)('$file: Environment parameter, description, size, irsa parameter', ({ file, text, doc }) => {
    expect(doc.Description, `${file} needs a Description`).toEqual(expect.any(String));
    expect(Buffer.byteLength(text), `${file} must stay under CloudFormation's 51,200-byte TemplateBody limit`).toBeLessThan(51_200);
    const environment = doc.Parameters?.Environment;
    expect(environment?.Type).toBe('String');
    expect(environment?.AllowedValues).toEqual(ENVIRONMENTS);
    expect(environment, 'Environment has no default: every deploy names it').not.toHaveProperty('Default');
    if (file.startsWith('irsa-')) expect(doc.Parameters?.OIDCProvider?.Type, `${file} needs the OIDCProvider parameter`).toBe('String');
  });

  it.each(templates)('$file: every export is named biomage-<thing>-${Environment}', ({ file, doc }) => {
    const outputs = Object.entries(doc.Outputs ?? {});
    expect(outputs.length, `${file} exports nothing`).toBeGreaterThan(0);
    for (const [name, output] of outputs) {
      const exportName = subName(output.Export?.Name);
      expect(exportName, `${file}: Outputs.${name} needs Export.Name: !Sub biomage-...-\${Environment}`).toBeDefined();
      expect(exportName).toContain('${Environment}');
      expect(exportName).toMatch(/^biomage-[a-z0-9-]+-\$\{Environment\}$/);
    }
  });
});
