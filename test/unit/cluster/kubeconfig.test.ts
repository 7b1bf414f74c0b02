import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubeconfigPath, mergeKubeconfig, type ClusterAccess } from '../../../src/cluster/kubeconfig.js';
import { iamPrincipal } from '../../../src/cluster/access.js';
import { InputError } from '../../../src/ui/errors.js';

const ACCESS: ClusterAccess = { context: 'biomage-staging', cluster: 'biomage-staging', region: 'eu-west-1', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: 'Q0E=' };

describe('kubeconfigPath', () => {
  it('is the first file of KUBECONFIG, else ~/.kube/config', () => {
    expect(kubeconfigPath({ KUBECONFIG: '/a/one:/b/two', HOME: '/home/op' })).toBe('/a/one');
    expect(kubeconfigPath({ KUBECONFIG: ':/b/two' })).toBe('/b/two');
    expect(kubeconfigPath({ HOME: '/home/op' })).toBe('/home/op/.kube/config');
  });
});

describe('mergeKubeconfig', () => {
  it('starts a new file as kubectl would', async () => {
    const text = await mergeKubeconfig(undefined, ACCESS, false, '/k');
    expect(parse(text)).toMatchObject({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'biomage-staging' }], users: [{ name: 'biomage-staging' }], contexts: [{ name: 'biomage-staging' }] });
    expect(parse(text)['current-context']).toBeUndefined();
    expect(parse(await mergeKubeconfig('', ACCESS, true, '/k'))['current-context']).toBe('biomage-staging');
  });

  it('keeps comments and unknown fields of other entries, and replaces only its own', async () => {
    const existing = `# mine
apiVersion: v1
kind: Config
clusters:
- name: biomage-staging
  cluster: {server: https://old}
- name: other
  cluster: {server: https://other}
  extensions: [{name: x, extension: {a: 1}}]
contexts: []
users: []
current-context: other
`;
    const merged = parse(await mergeKubeconfig(existing, ACCESS, false, '/k'));
    expect(merged.clusters).toEqual([
      { name: 'biomage-staging', cluster: { server: ACCESS.endpoint, 'certificate-authority-data': 'Q0E=' } },
      { name: 'other', cluster: { server: 'https://other' }, extensions: [{ name: 'x', extension: { a: 1 } }] },
    ]);
    expect(merged['current-context']).toBe('other');
    expect((await mergeKubeconfig(existing, ACCESS, false, '/k')).startsWith('# mine\n')).toBe(true);
  });

  it('refuses text it cannot read, without touching it', async () => {
    await expect(mergeKubeconfig('clusters: [unclosed', ACCESS, false, '/k')).rejects.toThrow(InputError);
    await expect(mergeKubeconfig('- a list\n', ACCESS, false, '/k')).rejects.toThrow('/k is not a valid kubeconfig: not a YAML mapping');
  });
});

describe('iamPrincipal: the IAM entity an access list names', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/Ops/alice', { arn: 'arn:aws:iam::123456789012:role/Ops', name: 'Ops', type: 'role' }],
    ['arn:aws:iam::123456789012:user/people/bob', { arn: 'arn:aws:iam::123456789012:user/people/bob', name: 'bob', type: 'user' }],
    ['arn:aws:iam::123456789012:root', { arn: 'arn:aws:iam::123456789012:root', name: 'arn:aws:iam::123456789012:root', type: 'other' }],
  ])('%s', (arn, principal) => {
    expect(iamPrincipal(arn)).toEqual(principal);
  });
});
