import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assertClusterInVpc, eksctlStackPlan, loadEksctlStackTemplate } from '../../../src/dev/eksctl-stack.js';
import { EMULATED } from '../../../src/dev/emulation.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { OperationError } from '../../../src/ui/errors.js';

const template = loadEksctlStackTemplate();
const outputs = template.doc.Outputs ?? {};
const cluster = { arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/biomage-development', endpoint: 'https://example.eks.amazonaws.com/', certificateAuthority: { data: 'Q0E=' } };

describe("the twin's eksctl cluster stack (tools/emulator/eksctl-cluster-stack.yaml)", () => {
  it('exports each exported output as eksctl names it: <stack>::<Output>', () => {
    const exported = Object.entries(outputs).filter(([, o]) => o.Export);
    expect(exported.length).toBeGreaterThan(0);
    for (const [name, output] of exported) expect(output.Export?.Name, name).toEqual({ 'Fn::Sub': `\${AWS::StackName}::${name}` });
  });

  it("FeatureNATMode is infra/cluster.yaml's NAT gateway mode, and the template builds that many gateways", () => {
    const config = parse(readFileSync(join(repoRoot, 'infra', 'cluster.yaml'), 'utf8')) as { vpc: { nat: { gateway: string } } };
    expect(outputs.FeatureNATMode?.Value).toBe(config.vpc.nat.gateway);
    const gateways = Object.values(template.doc.Resources).filter((r) => r.Type === 'AWS::EC2::NatGateway').length;
    expect(gateways).toBe(config.vpc.nat.gateway === 'HighlyAvailable' ? 2 : config.vpc.nat.gateway === 'Single' ? 1 : 0);
  });

  it('every resource type is one the twin emulates, so dev up checks each resource through its service', () => {
    const types = new Set(Object.values(template.doc.Resources).map((r) => r.Type));
    expect([...types].filter((type) => !(type in EMULATED))).toEqual([]);
  });

  it("the plan is eksctl's stack name, with the cluster's EKS attributes as parameters, hashed", () => {
    const plan = eksctlStackPlan(template, 'biomage-development', cluster);
    expect(plan.stackName).toBe('eksctl-biomage-development-cluster');
    expect(Object.fromEntries(plan.parameters.map((p) => [p.ParameterKey, p.ParameterValue]))).toEqual({
      ClusterName: 'biomage-development',
      ClusterArn: cluster.arn,
      ClusterEndpoint: cluster.endpoint,
      ClusterCertificateAuthorityData: 'Q0E=',
    });
    expect(Object.keys(template.doc.Parameters ?? {}).sort()).toEqual(plan.parameters.map((p) => p.ParameterKey).sort());
    expect(eksctlStackPlan(template, 'biomage-development', cluster).hash).toBe(plan.hash);
    expect(eksctlStackPlan(template, 'biomage-development', { ...cluster, certificateAuthority: { data: 'other' } }).hash).not.toBe(plan.hash);
  });

  it("a cluster record in another VPC than the stack's is an operation failure naming both and the way out", () => {
    const network = { stack: 'eksctl-biomage-development-cluster', vpcId: 'vpc-0123' };
    expect(() => assertClusterInVpc('biomage-development', { resourcesVpcConfig: { vpcId: 'vpc-0123' } }, network)).not.toThrow();
    let error: unknown;
    try {
      assertClusterInVpc('biomage-development', { resourcesVpcConfig: { vpcId: 'vpc-9999' } }, network);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(
      "the twin's EKS cluster biomage-development reports VPC vpc-9999, not vpc-0123 of its stack eksctl-biomage-development-cluster",
    );
    expect((error as OperationError).hint).toMatch(/biomage dev down/);
  });
});
