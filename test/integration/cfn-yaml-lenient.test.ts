import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { loadTemplate } from '../../src/cf/template.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { lintTemplates } from '../../src/tools/cfn-lint.js';
import { useEmulator } from '../helpers/emulator.js';

const dir = join(repoRoot, 'test', 'fixtures', 'cfn-yaml-lenient');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const { target } = useEmulator();

// The same templates, read by the three parsers that see them: cfn-lint's, deploy-cf's and the
// emulator's CloudFormation (PyYAML, as lenient as CloudFormation's own).
describe('templates in the lenient YAML CloudFormation accepts', () => {
  it('the real cfn-lint finds nothing', async () => {
    const matches = await lintTemplates(files.map((f) => join(dir, f)), { cwd: repoRoot, regions: ['eu-west-1'] });
    expect(matches).toEqual([]);
  });

  it.each(files)('%s loads for deploy-cf and creates its stack in the emulator', async (file) => {
    const template = loadTemplate(join(dir, file), repoRoot);
    const cfn = awsClient(CloudFormationClient, target());
    const StackName = `lenient-${file.replace(/\.yaml$/, '')}`;
    await cfn.send(
      new CreateStackCommand({ StackName, TemplateBody: template.body, Parameters: [{ ParameterKey: 'Environment', ParameterValue: 'development' }] }),
    );
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName }));
    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const { StackResourceSummaries = [] } = await cfn.send(new ListStackResourcesCommand({ StackName }));
    expect(StackResourceSummaries.map((r) => r.LogicalResourceId).sort()).toEqual(Object.keys(template.doc.Resources).sort());
    cfn.destroy();
  });
});
