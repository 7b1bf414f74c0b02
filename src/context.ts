import { isEnvironment, type Environment } from './config/environments.js';
import { assertEndpointFitsEnvironment, resolveAwsTarget, type AwsTarget } from './aws/target.js';
import { UsageError } from './ui/errors.js';
import type { Io, Output } from './ui/output.js';

/**
 * The global options, as commander hands them over (flag, then env var, then default). Their
 * values are checked by commander itself (choices, argument parsers): no schema library is
 * loaded for them, which keeps every command's start-up short.
 */
export interface GlobalOptions {
  env: Environment;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json: boolean;
  yes: boolean;
  dryRun: boolean;
  verbose: boolean;
  color: boolean;
}

/** Everything a command needs to run: validated options, the output layer, and AWS on demand. */
export interface Context extends Readonly<Omit<GlobalOptions, 'color'>> {
  readonly command: string;
  readonly out: Output;
  readonly processEnv: NodeJS.ProcessEnv;
  /** A person can answer a prompt: stdin is a terminal and CI is not set. */
  readonly interactive: boolean;
  /** Where AWS calls go, resolved on first use (reads ~/.aws/config or the twin's record). */
  aws(): Promise<AwsTarget>;
}

/** The global options in their types, and the one rule that spans two of them. */
export function parseGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const env = String(raw.env ?? 'development');
  if (!isEnvironment(env)) throw new UsageError(`unknown environment '${env}'`, { hint: 'see `biomage --help`' });
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const options: GlobalOptions = {
    env,
    region: text(raw.region),
    profile: text(raw.profile),
    endpointUrl: text(raw.endpointUrl),
    json: raw.json === true,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    verbose: raw.verbose === true,
    color: raw.color !== false,
  };
  assertEndpointFitsEnvironment(options.env, options.endpointUrl);
  return options;
}

export function createContext(command: string, options: GlobalOptions, out: Output, io: Io): Context {
  let target: Promise<AwsTarget> | undefined;
  const { color: _color, ...rest } = options;
  return {
    ...rest,
    command,
    out,
    processEnv: io.env,
    interactive: Boolean(io.stdin.isTTY) && !io.env.CI,
    aws: () =>
      (target ??= resolveAwsTarget({
        env: options.env,
        region: options.region,
        profile: options.profile,
        endpointUrl: options.endpointUrl,
        processEnv: io.env,
      })),
  };
}
