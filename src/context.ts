import { isEnvironment, type Environment } from './config/environments.js';
import { assertEndpointFitsEnvironment, resolveAwsTarget, type AwsTarget } from './aws/target.js';
import { stateDir } from './paths.js';
import { resolveRepositoryRoot, type RootSource } from './repository-root.js';
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
  /** --root (or BIOMAGE_ROOT): the repository to work on. Unset, it is found from the working directory. */
  root?: string;
  /** Which of the two set root, for messages. */
  rootSource?: Exclude<RootSource, 'cwd'>;
}

/** Everything a command needs to run: validated options, the output layer, and AWS on demand. */
export interface Context extends Readonly<Omit<GlobalOptions, 'color' | 'root' | 'rootSource'>> {
  readonly command: string;
  /**
   * The repository this command works on (its cf/, infra/, releases/): --root or BIOMAGE_ROOT,
   * else the nearest folder holding cf/ and infra/cluster.yaml at or above the working directory.
   * Resolved on first use, so a command that reads no repository file runs anywhere; outside a
   * repository, reading it throws a UsageError (exit 2).
   */
  readonly root: string;
  /** Where root came from: the flag, the variable, or the search from the working directory. */
  readonly rootSource: RootSource;
  /** The repository's local state, .biomage/ (or BIOMAGE_STATE_DIR): the twin's record, the local cluster. */
  readonly stateDir: string;
  readonly out: Output;
  readonly processEnv: NodeJS.ProcessEnv;
  /** A person can answer a prompt: stdin is a terminal and CI is not set. */
  readonly interactive: boolean;
  /** Where AWS calls go, resolved on first use (reads ~/.aws/config or the twin's record). */
  aws: () => Promise<AwsTarget>;
}

/** The global options in their types, and the one rule that spans two of them. */
export function parseGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- commander gives a string or nothing; anything else fails isEnvironment just below
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
  const root = text(raw.root);
  if (root) {
    options.root = root;
    options.rootSource = raw.rootSource === 'env' ? 'env' : 'flag';
  }
  assertEndpointFitsEnvironment(options.env, options.endpointUrl);
  return options;
}

export function createContext(command: string, options: GlobalOptions, out: Output, io: Io, cwd = process.cwd()): Context {
  let target: Promise<AwsTarget> | undefined;
  let root: string | undefined;
  const { color: _color, root: given, rootSource: source, ...rest } = options;
  const repository = () => (root ??= resolveRepositoryRoot({ given, source, cwd }));
  const state = () => stateDir(repository, io.env);
  return {
    ...rest,
    command,
    get root() {
      return repository();
    },
    rootSource: source ?? 'cwd',
    get stateDir() {
      return state();
    },
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
        stateDir: state,
      })),
  };
}
