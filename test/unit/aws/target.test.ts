import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../src/aws/clients.js';
import { resolveAwsTarget } from '../../../src/aws/target.js';
import { UsageError } from '../../../src/ui/errors.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function awsConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'biomage-aws-')), 'config');
  writeFileSync(file, text);
  process.env.AWS_CONFIG_FILE = file;
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(file, '..', 'none');
  return file;
}

describe('resolveAwsTarget', () => {
  it('region: explicit value, then the profile, then eu-west-1', async () => {
    awsConfig('[default]\nregion = us-east-2\n[profile ops]\nregion = ap-southeast-2\n');
    const env = { ...process.env, AWS_PROFILE: undefined };
    expect((await resolveAwsTarget({ env: 'staging', region: 'eu-central-1', processEnv: env })).region).toBe('eu-central-1');
    expect((await resolveAwsTarget({ env: 'staging', processEnv: env })).region).toBe('us-east-2');
    expect((await resolveAwsTarget({ env: 'staging', profile: 'ops', processEnv: env })).region).toBe('ap-southeast-2');
    awsConfig('');
    expect((await resolveAwsTarget({ env: 'staging', processEnv: env })).region).toBe('eu-west-1');
  });

  it('development without an emulator is a usage error that says how to start one', async () => {
    const state = mkdtempSync(join(tmpdir(), 'biomage-state-'));
    const error = await resolveAwsTarget({ env: 'development', region: 'eu-west-1', stateDir: () => state }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain('make dev');
  });

  it('an endpoint is for development only', async () => {
    await expect(resolveAwsTarget({ env: 'production', region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:1' })).rejects.toThrow(
      'cannot be used with --env production',
    );
  });

  it('rejects an endpoint that is not an http(s) URL', async () => {
    await expect(resolveAwsTarget({ env: 'development', region: 'eu-west-1', endpointUrl: 'ftp://x' })).rejects.toThrow('must be http or https');
    await expect(resolveAwsTarget({ env: 'development', region: 'eu-west-1', endpointUrl: 'not a url' })).rejects.toThrow('is not a URL');
  });
});

describe('awsClientConfig', () => {
  it('the twin gets placeholder credentials and fails fast; real credentials are never sent to it', () => {
    const config = awsClientConfig({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', local: true });
    expect(config).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
      retryMode: 'standard',
      forcePathStyle: true,
    });
  });

  it('real AWS gets the profile and adaptive retries, and no endpoint or credentials of ours', () => {
    expect(awsClientConfig({ region: 'eu-west-1', profile: 'ops', local: false })).toEqual({
      region: 'eu-west-1',
      profile: 'ops',
      maxAttempts: 6,
      retryMode: 'adaptive',
    });
  });
});
