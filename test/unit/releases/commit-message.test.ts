import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitMessage } from '../../../src/releases/push.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'biomage-commit-message-'));
  mkdirSync(join(root, 'releases', 'staging'), { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A release file as `release render` writes it, with the annotations given. */
function writeRelease(service: string, annotations: Record<string, string> | undefined): string {
  const file = `releases/staging/${service}.yaml`;
  const lines = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', `  name: ${service}`, '  namespace: flux-system'];
  if (annotations) {
    lines.push('  annotations:', ...Object.entries(annotations).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`));
  }
  writeFileSync(join(root, file), `${lines.join('\n')}\nspec:\n  interval: 5m\n`);
  return file;
}

const annotated = (image: string, source?: string) => ({
  'biomage.io/source-commit': SHA,
  ...(source ? { 'biomage.io/source-repository': source } : {}),
  'biomage.io/image': image,
});

describe('commitMessage', () => {
  it('names the service and its tag in the subject, and image and source commit in the body', () => {
    const file = writeRelease('ui', annotated(`${REGISTRY}/ui:1.4.2`, 'hms-dbmi-cellenics/ui'));
    expect(commitMessage('staging', [file], root)).toBe(`release(staging): ui 1.4.2\n\nui: ${REGISTRY}/ui:1.4.2 from hms-dbmi-cellenics/ui@${SHA}\n`);
  });

  it('lists several files in the order given, one body line each', () => {
    const files = [writeRelease('api', annotated(`${REGISTRY}/api:2.0.0`, 'org/api')), writeRelease('ui', annotated(`${REGISTRY}/ui:1.4.2`))];
    expect(commitMessage('staging', files, root)).toBe(
      [`release(staging): api 2.0.0, ui 1.4.2`, '', `api: ${REGISTRY}/api:2.0.0 from org/api@${SHA}`, `ui: ${REGISTRY}/ui:1.4.2 from ${SHA}`, ''].join('\n'),
    );
  });

  it('says a file that no longer exists was removed', () => {
    const kept = writeRelease('ui', annotated(`${REGISTRY}/ui:1.4.2`, 'org/ui'));
    expect(commitMessage('production', ['releases/production/worker.yml', kept], root)).toBe(
      [`release(production): worker, ui 1.4.2`, '', 'worker: removed', `ui: ${REGISTRY}/ui:1.4.2 from org/ui@${SHA}`, ''].join('\n'),
    );
  });

  it('puts a short digest (12 hex digits) in the subject for an image named by digest, with or without a tag', () => {
    const byDigest = writeRelease('ui', annotated(`${REGISTRY}/ui@${DIGEST}`, 'org/ui'));
    const both = writeRelease('api', annotated(`${REGISTRY}/api:2.0.0@${DIGEST}`, 'org/api'));
    expect(commitMessage('staging', [byDigest, both], root)).toBe(
      [
        'release(staging): ui sha256:0123456789ab, api sha256:0123456789ab',
        '',
        `ui: ${REGISTRY}/ui@${DIGEST} from org/ui@${SHA}`,
        `api: ${REGISTRY}/api:2.0.0@${DIGEST} from org/api@${SHA}`,
        '',
      ].join('\n'),
    );
  });

  it('takes the tag, not the port, of an image from a registry with a port', () => {
    const file = writeRelease('ui', annotated('localhost:5000/ui:1.0.0'));
    expect(commitMessage('staging', [file], root).split('\n')[0]).toBe('release(staging): ui 1.0.0');
  });

  it('says a file without annotations changed, with only the service in the subject', () => {
    const file = writeRelease('ui', undefined);
    expect(commitMessage('staging', [file], root)).toBe('release(staging): ui\n\nui: changed\n');
  });
});
