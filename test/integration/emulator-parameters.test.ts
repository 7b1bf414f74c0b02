import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { useEmulator } from '../helpers/emulator.js';

const { target } = useEmulator();

// A parameter of type AWS::SSM::Parameter::Value<…> keeps the SSM parameter's name as its value
// (CloudFormation looks the value up at each deploy), so UsePreviousValue, which
// `aws cloudformation deploy` sends for every parameter it is not given, passes the name again.
const TEMPLATE = `
Parameters:
  ImageId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Image:
    Value: !Ref ImageId
`;

describe('the emulator: parameters as CloudFormation resolves them', () => {
  it('resolve the public AMI parameter, and an update with UsePreviousValue looks the name up again', async () => {
    const cfn = awsClient(CloudFormationClient, target());
    const StackName = 'ssm-typed-parameter';
    const changeSet = async (ChangeSetType: 'CREATE' | 'UPDATE', Parameters: { ParameterKey: string; UsePreviousValue: boolean }[]) => {
      const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: `cs-${ChangeSetType}`, ChangeSetType, TemplateBody: TEMPLATE, Parameters }));
      await cfn.send(new DescribeChangeSetCommand({ StackName, ChangeSetName: Id }));
      await cfn.send(new ExecuteChangeSetCommand({ StackName, ChangeSetName: Id }));
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName }));
      return Stacks?.[0];
    };
    const created = await changeSet('CREATE', []);
    expect(created?.StackStatus).toBe('CREATE_COMPLETE');
    const image = created?.Outputs?.find((o) => o.OutputKey === 'Image')?.OutputValue;
    expect(image).toMatch(/^ami-/);

    const updated = await changeSet('UPDATE', [{ ParameterKey: 'ImageId', UsePreviousValue: true }]);
    expect(updated?.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
    expect(updated?.Outputs?.find((o) => o.OutputKey === 'Image')?.OutputValue).toBe(image);
    cfn.destroy();
  });

  it('a list-typed parameter left at its Default is a list, as a passed value is', async () => {
    const cfn = awsClient(CloudFormationClient, target());
    const TemplateBody = `
Parameters:
  Names:
    Type: CommaDelimitedList
    Default: alpha
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  First:
    Value: !Select [0, !Ref Names]
  Count:
    Value: !Join ['+', !Ref Names]
`;
    const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName: 'list-default', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody }));
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'list-default', ChangeSetName: Id }));
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'list-default' }));
    const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    // A string would give "a" and "a+l+p+h+a".
    expect(outputs).toEqual({ First: 'alpha', Count: 'alpha' });
    // An update passing the previous value (what aws cloudformation deploy sends) passes it as text.
    const update = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'list-default',
        ChangeSetName: 'cs2',
        ChangeSetType: 'UPDATE',
        TemplateBody: TemplateBody.replace('Topic:', 'Topic2:'),
        Parameters: [{ ParameterKey: 'Names', UsePreviousValue: true }],
      }),
    );
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'list-default', ChangeSetName: update.Id }));
    const after = await cfn.send(new DescribeStacksCommand({ StackName: 'list-default' }));
    expect(after.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'Count')?.OutputValue).toBe('alpha');
    cfn.destroy();
  });
});
