import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../src/config/environments.js';
import { parseCfnYaml } from '../../src/cf/yaml-tags.js';
import { repoRoot } from '../../src/paths.js';
import { locate } from '../../src/tools/locate.js';

const cfDir = join(repoRoot, 'cf');
const files = readdirSync(cfDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Pseudo-parameters that keep a template portable across accounts, regions and partitions. */
const PORTABLE_PSEUDO = ['AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::StackName', 'AWS::URLSuffix'];
/** Imports that come from outside cf/: the stack eksctl creates for the environment's cluster. */
const EKSCTL_IMPORT = /^eksctl-biomage-\$\{Environment\}-cluster::[A-Za-z]+$/;

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

/** Every value of `key` anywhere in the document (depth first). */
function collect(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => collect(v, key, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

/** The template string of an `Fn::Sub` (scalar or `[template, variables]` form). */
const subString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;

/** The export name as written, `biomage-x-${Environment}`, when it is a plain `!Sub`. */
function subName(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return subString((value as Record<string, unknown>)['Fn::Sub']);
}

describe('CloudFormation templates (cf/)', () => {
  it('there are templates to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('pass cfn-lint (the real one, pinned), in one run over all of them', () => {
    const cfnLint = locate('cfn-lint', process.env, 'project');
    expect(cfnLint?.source, 'cfn-lint must come from the project venv (.tools/venv)').toBe('project');
    let output: string;
    try {
      output = execFileSync(cfnLint!.path, files.map((f) => join(cfDir, f)), {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const { status, stdout, stderr } = error as { status: number | null; stdout?: string; stderr?: string };
      throw new Error(`cfn-lint exited ${status}:\n${stdout ?? ''}${stderr ?? ''}`);
    }
    expect(output).toBe('');
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

  it.each(templates)('$file: portable (no literal partition, account id; only portable pseudo-parameters)', ({ file, text, doc }) => {
    expect(text, `${file}: write arn:\${AWS::Partition}: instead`).not.toContain('arn:aws:');
    expect(text.match(/\d{12}/g), `${file}: no literal account ids`).toBeNull();
    const pseudo = [
      ...collect(doc, 'Ref').filter((r): r is string => typeof r === 'string'),
      ...collect(doc, 'Fn::Sub').flatMap((s) => [...(subString(s) ?? '').matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1]!)),
    ].filter((name) => name.startsWith('AWS::'));
    // AWS::NoValue removes a property; it says nothing about where the stack runs.
    for (const name of pseudo) expect([...PORTABLE_PSEUDO, 'AWS::NoValue'], `${file} uses ${name}`).toContain(name);
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

  it('every import is exported by another template, or by the cluster stack eksctl creates', () => {
    const exported = new Map<string, string>();
    for (const { file, doc } of templates) {
      for (const output of Object.values(doc.Outputs ?? {})) {
        const name = subName(output.Export?.Name);
        if (name) {
          expect(exported.get(name), `${name} is exported twice`).toBeUndefined();
          exported.set(name, file);
        }
      }
    }
    for (const { file, doc } of templates) {
      for (const imported of collect(doc.Resources, 'Fn::ImportValue')) {
        const name = subName(imported);
        expect(name, `${file}: import with Fn::ImportValue: !Sub "<export name>"`).toBeDefined();
        if (EKSCTL_IMPORT.test(name!)) continue;
        expect(exported.get(name!), `${file} imports ${name}, which no template exports`).toBeDefined();
        expect(exported.get(name!), `${file} imports its own export ${name}`).not.toBe(file);
      }
    }
  });
});
