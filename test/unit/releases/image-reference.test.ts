import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../src/releases/image-reference.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('parseImageReference', () => {
  it('splits an ECR reference with a tag into registry, repository and tag', () => {
    expect(parseImageReference(`${ECR}/biomage/ui:1.4.2`)).toEqual({
      reference: `${ECR}/biomage/ui:1.4.2`,
      registry: ECR,
      repository: `${ECR}/biomage/ui`,
      tag: '1.4.2',
      digest: undefined,
    });
  });

  it('takes a digest without a tag', () => {
    expect(parseImageReference(`${ECR}/ui@${DIGEST}`)).toEqual({
      reference: `${ECR}/ui@${DIGEST}`,
      registry: ECR,
      repository: `${ECR}/ui`,
      tag: undefined,
      digest: DIGEST,
    });
  });

  it('takes a tag and a digest together', () => {
    expect(parseImageReference(`${ECR}/ui:sha-0123456@${DIGEST}`)).toMatchObject({ repository: `${ECR}/ui`, tag: 'sha-0123456', digest: DIGEST });
  });

  it('keeps the port with the registry', () => {
    expect(parseImageReference('registry.example.org:5000/team/api:2.0.0-rc.1')).toMatchObject({
      registry: 'registry.example.org:5000',
      repository: 'registry.example.org:5000/team/api',
      tag: '2.0.0-rc.1',
    });
    expect(parseImageReference('buildhost:5000/api:1')).toMatchObject({ registry: 'buildhost:5000', repository: 'buildhost:5000/api', tag: '1' });
  });

  it('knows localhost as a registry, with or without a port', () => {
    expect(parseImageReference('localhost/ui:1.0')).toMatchObject({ registry: 'localhost', repository: 'localhost/ui', tag: '1.0' });
    expect(parseImageReference('localhost:5000/ui:1.0')).toMatchObject({ registry: 'localhost:5000', repository: 'localhost:5000/ui', tag: '1.0' });
  });

  it('reads a reference without a registry (Docker Hub style) as a path', () => {
    const parsed = parseImageReference('library/node:20');
    expect(parsed).toEqual({ reference: 'library/node:20', registry: undefined, repository: 'library/node', tag: '20', digest: undefined });
    expect(parseImageReference('node:20.11-alpine')).toMatchObject({ registry: undefined, repository: 'node', tag: '20.11-alpine' });
  });

  it('refuses a reference with neither a tag nor a digest', () => {
    expect(parseImageReference(`${ECR}/ui`)).toEqual({ problem: 'has neither a tag nor a digest; a release must name the exact image it runs' });
    expect(parseImageReference('localhost:5000/ui')).toEqual({ problem: 'has neither a tag nor a digest; a release must name the exact image it runs' });
  });

  it('refuses the tag latest, but not a tag that only starts with it', () => {
    expect(parseImageReference(`${ECR}/ui:latest`)).toEqual({ problem: 'is tagged `latest`, which moves; use the tag CI pushed (or a digest)' });
    expect(parseImageReference(`${ECR}/ui:latest-1`)).toMatchObject({ tag: 'latest-1' });
  });

  it('refuses what is not an image reference: upper-case path, a digest of the wrong length, empty, stray characters', () => {
    const notAReference = { problem: 'is not an image reference (registry/repository:tag or registry/repository@sha256:<digest>)' };
    for (const reference of [
      `${ECR}/Biomage/ui:1.0`,
      'Ui:1.0',
      `${ECR}/ui@sha256:${'a'.repeat(63)}`,
      `${ECR}/ui@sha256:${'a'.repeat(65)}`,
      `${ECR}/ui@sha256:${'A'.repeat(64)}`,
      `${ECR}/ui@${'a'.repeat(64)}`,
      '',
      ' ui:1.0',
      'ui:1.0 ',
      `${ECR}/ui:.1`,
      `${ECR}/ui:${'a'.repeat(129)}`,
    ]) {
      expect(parseImageReference(reference), JSON.stringify(reference)).toEqual(notAReference);
    }
  });

  it('takes a tag of the longest allowed length, 128', () => {
    expect(parseImageReference(`${ECR}/ui:${'a'.repeat(128)}`)).toMatchObject({ tag: 'a'.repeat(128) });
  });
});
