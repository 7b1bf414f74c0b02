import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REGION, isLocal, type Environment } from '../config/environments.js';
import { isAlive } from '../tools/pid.js';
import { UsageError } from '../ui/errors.js';

/** Everything an AWS SDK client needs to know about where it talks to. */
export interface AwsTarget {
  region: string;
  /** Only for the local twin (development): the emulator's URL. */
  endpoint?: string;
  profile?: string;
  /** True when the target is the local emulator: dummy credentials, few retries. */
  local: boolean;
}

export interface AwsTargetInput {
  env: Environment;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  processEnv?: NodeJS.ProcessEnv;
  /** The repository's local state, where `biomage dev up` recorded the twin; asked for only by development without an endpoint. */
  stateDir?: () => string;
}

/** The record `biomage dev up` leaves so later commands find the running emulator. */
export interface EmulatorRecord {
  endpoint: string;
  pid: number;
  startedAt: string;
}

export function emulatorRecordPath(stateDir: string): string {
  return join(stateDir, 'emulator.json');
}

/** The running twin's record in this state folder, or undefined when none was started or its process is gone. */
export function readEmulatorRecord(stateDir: string): EmulatorRecord | undefined {
  const file = emulatorRecordPath(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as EmulatorRecord;
    return isAlive(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reject an endpoint override for a real environment. A shell that sourced
 * `.biomage/development.env` keeps AWS_ENDPOINT_URL; sending staging or production commands to
 * the emulator (or, worse, believing they went to AWS) is the mistake this prevents.
 */
export function assertEndpointFitsEnvironment(env: Environment, endpointUrl: string | undefined): void {
  if (endpointUrl === undefined || isLocal(env)) return;
  throw new UsageError(`--endpoint-url (or AWS_ENDPOINT_URL=${endpointUrl}) cannot be used with --env ${env}`, {
    hint: `the endpoint override is for the local twin only: unset AWS_ENDPOINT_URL, or use --env development`,
  });
}

/** Resolve region, endpoint and profile, in the documented order of precedence. */
export async function resolveAwsTarget(input: AwsTargetInput): Promise<AwsTarget> {
  const processEnv = input.processEnv ?? process.env;
  assertEndpointFitsEnvironment(input.env, input.endpointUrl);
  const region = input.region ?? (await profileRegion(input.profile, processEnv)) ?? DEFAULT_REGION;
  if (!isLocal(input.env)) return { region, profile: input.profile, local: false };

  const endpoint = input.endpointUrl ?? (input.stateDir ? readEmulatorRecord(input.stateDir())?.endpoint : undefined);
  if (!endpoint) {
    throw new UsageError('development is the local twin, and no emulator is running', {
      hint: 'start it with `make dev` (or `biomage dev up`), or pass --endpoint-url',
    });
  }
  return { region, endpoint: validEndpoint(endpoint), local: true };
}

function validEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint-url '${raw}' is not a URL`, { hint: 'use a form like http://127.0.0.1:5000' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint-url '${raw}' must be http or https`, { hint: 'use a form like http://127.0.0.1:5000' });
  }
  return raw.replace(/\/+$/, '');
}

/** The region set for the profile in ~/.aws/config (AWS_CONFIG_FILE honoured), read by the SDK's own loader. */
async function profileRegion(profile: string | undefined, processEnv: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
  return configFile[profile ?? processEnv.AWS_PROFILE ?? 'default']?.region || undefined;
}
