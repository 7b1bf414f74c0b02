import { describe, expect, it } from 'vitest';
import { eksctlArgs, eksctlEnvironment, eksctlUpgradeNodegroupArgs, type EksctlOperation } from '../../../src/tools/eksctl.js';

describe('the eksctl facade', () => {
  it.each<[EksctlOperation, string]>([
    ['create-cluster', 'create cluster --config-file f.yaml --write-kubeconfig=false'],
    ['upgrade-cluster', 'upgrade cluster --config-file f.yaml --approve'],
    ['associate-oidc-provider', 'utils associate-iam-oidc-provider --config-file f.yaml --approve'],
    ['update-cluster-logging', 'utils update-cluster-logging --config-file f.yaml --approve'],
    ['create-iamserviceaccounts', 'create iamserviceaccount --config-file f.yaml --override-existing-serviceaccounts --approve'],
    ['update-iamserviceaccounts', 'update iamserviceaccount --config-file f.yaml --approve'],
    ['delete-iamserviceaccounts', 'delete iamserviceaccount --config-file f.yaml --only-missing --approve'],
    ['create-addons', 'create addon --config-file f.yaml'],
    ['update-addons', 'update addon --config-file f.yaml'],
    ['create-nodegroups', 'create nodegroup --config-file f.yaml'],
    ['delete-nodegroups', 'delete nodegroup --config-file f.yaml --only-missing --approve'],
  ])('%s runs `eksctl %s`', (operation, args) => {
    expect(eksctlArgs(operation, 'f.yaml').join(' ')).toBe(args);
  });

  it('upgrades a node group by name (the command takes no config file), waiting until its nodes are replaced', () => {
    expect(eksctlUpgradeNodegroupArgs({ cluster: 'biomage-staging', region: 'eu-west-1', nodeGroup: 'general-1', kubernetesVersion: '1.36' }).join(' ')).toBe(
      'upgrade nodegroup --cluster biomage-staging --region eu-west-1 --name general-1 --kubernetes-version 1.36 --wait',
    );
  });

  it('aims eksctl at real AWS with the profile and region, never at a leftover endpoint', () => {
    const env = eksctlEnvironment({ PATH: '/bin', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, { region: 'eu-west-2', profile: 'ops', local: false });
    expect(env).toEqual({ PATH: '/bin', AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'eu-west-2', AWS_PROFILE: 'ops' });
  });

  it('aims eksctl at the emulator with placeholder credentials, never the operator\'s', () => {
    const env = eksctlEnvironment(
      { PATH: '/bin', AWS_PROFILE: 'ops', AWS_SESSION_TOKEN: 'secret', AWS_ACCESS_KEY_ID: 'AKIAREAL' },
      { region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', local: true },
    );
    expect(env).toEqual({
      PATH: '/bin',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
});
