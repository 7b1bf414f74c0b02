import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { deployCfCommand } from '../../src/commands/deploy-cf.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError } from '../../src/ui/errors.js';
import { runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * Each case is a folder under test/fixtures/bad/ with its own cf/ and the exact expected error
 * in expected.txt. Regenerate the golden files with: UPDATE_GOLDEN=1 npx vitest run <this file>
 */
const BAD = join(repoRoot, 'test', 'fixtures', 'bad');
const CASES: { name: string; paths?: string[] }[] = [
  { name: 'unreadable-yaml' },
  { name: 'no-environment' },
  { name: 'environment-values' },
  { name: 'irsa-without-oidc' },
  { name: 'over-size-limit' },
  { name: 'outside-cf', paths: ['template.yaml'] },
  { name: 'irsa-without-cluster' },
  { name: 'import-not-exported' },
  { name: 'unknown-transform' },
];

describe('deploy-cf refuses bad input: exit 2, the file and line named, nothing deployed', () => {
  const { emulator, target } = useEmulator();

  it.each(CASES)('$name', async ({ name, paths = [] }) => {
    const root = join(BAD, name);
    const { ctx } = testContext('deploy-cf', { endpointUrl: emulator().endpoint });
    const error = await deployCfCommand(ctx, { paths: paths.map((p) => join(root, p)), force: false, concurrency: 4, root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomageError);
    const failure = error as BiomageError;
    expect(failure.exitCode).toBe(2);

    const actual = [failure.message, `  where: ${failure.where ?? ''}`, `  next:  ${failure.hint ?? ''}`, ''].join('\n').split(root).join('<fixture>');
    const golden = join(root, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));

    const cfn = awsClient(CloudFormationClient, target());
    const { StackSummaries = [] } = await cfn.send(new ListStacksCommand({}));
    expect(StackSummaries.map((s) => s.StackName)).toEqual([]);
  });

  it('an unknown --env is refused before anything runs', async () => {
    const run = await runCli(['deploy-cf', '--env', 'qa'], { BIOMAGE_ENV: undefined, AWS_ENDPOINT_URL: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'qa' is invalid");
  });

  it('templates and --changed-since together are refused', async () => {
    const root = join(BAD, 'outside-cf');
    const { ctx } = testContext('deploy-cf', { endpointUrl: emulator().endpoint });
    await expect(deployCfCommand(ctx, { paths: ['cf/topic.yaml'], changedSince: 'HEAD', force: false, concurrency: 4, root })).rejects.toThrow(
      'name templates or pass --changed-since, not both',
    );
  });
});
