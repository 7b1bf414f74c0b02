/** The one definition of the deployment environments. */
export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;

export type Environment = (typeof ENVIRONMENTS)[number];

/** `development` is the local twin: an AWS emulator on this machine, never real AWS. */
export const LOCAL_ENVIRONMENT: Environment = 'development';

export const DEFAULT_REGION = 'eu-west-1';

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

export function isLocal(env: Environment): boolean {
  return env === LOCAL_ENVIRONMENT;
}

/** Changes to these need an explicit confirmation or --yes. */
export function needsConfirmation(env: Environment): boolean {
  return env === 'production';
}

export function clusterName(env: Environment): string {
  return `biomage-${env}`;
}
