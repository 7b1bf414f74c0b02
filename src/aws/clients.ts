import type { AwsTarget } from './target.js';

// The SDK versions are pinned in package.json; this notice is about future SDK releases
// dropping Node 20, and would otherwise interleave with every command's stderr. The user can
// still opt back in by setting the variable to anything else.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The emulator accepts any credentials; real ones must never be sent to it. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  /** S3 only (other clients ignore it): the emulator serves buckets by path, not by host name. */
  forcePathStyle?: boolean;
}

/**
 * The one place AWS SDK client settings are decided. Real AWS gets adaptive retries (throttling
 * on CloudFormation and IAM is routine during parallel deploys); the local emulator fails fast.
 */
export function awsClientConfig(target: AwsTarget): AwsClientConfig {
  if (target.local) {
    return {
      region: target.region,
      endpoint: target.endpoint,
      credentials: { ...EMULATOR_CREDENTIALS },
      maxAttempts: 2,
      retryMode: 'standard',
      forcePathStyle: true,
    };
  }
  return {
    region: target.region,
    ...(target.profile ? { profile: target.profile } : {}),
    maxAttempts: 6,
    retryMode: 'adaptive',
  };
}

/** Build any SDK v3 client for the target: `awsClient(STSClient, target)`. */
export function awsClient<C>(Client: new (config: AwsClientConfig) => C, target: AwsTarget): C {
  return new Client(awsClientConfig(target));
}
