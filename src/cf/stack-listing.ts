import type { CloudFormationClient, Export, Stack } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';

const { DescribeStacksCommand, ListExportsCommand } = cloudFormationSdk();

/**
 * The account's stacks whose names `wanted` accepts, by name. One DescribeStacks page lists many
 * stacks, so reading them all is fewer calls than one DescribeStacks per stack.
 */
export async function stacksNamed(cfn: CloudFormationClient, wanted: (name: string) => boolean): Promise<Map<string, Stack>> {
  const found = new Map<string, Stack>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
    for (const stack of page.Stacks ?? []) if (stack.StackName && wanted(stack.StackName)) found.set(stack.StackName, stack);
    token = page.NextToken;
  } while (token);
  return found;
}

/** Every export of the region, all pages. */
export async function allExports(cfn: CloudFormationClient): Promise<Export[]> {
  const exports: Export[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken: token }));
    exports.push(...(page.Exports ?? []));
    token = page.NextToken;
  } while (token);
  return exports;
}
