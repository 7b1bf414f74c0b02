import type { Command } from 'commander';
import type { Context } from '../context.js';
import { asBiomageError } from '../ui/errors.js';
import { outputFor, type Io } from '../ui/output.js';

/** The global options, as opposed to a command's own. */
const GLOBAL_KEYS = ['env', 'region', 'profile', 'endpointUrl', 'json', 'yes', 'dryRun', 'verbose', 'color', 'root'] as const;

/** A command's work: returns its exit code (0 when omitted), or throws a BiomageError. */
export type Handler<O, A extends unknown[]> = (ctx: Context, options: O, ...args: A) => Promise<number | undefined> | Promise<void>;

export interface Runner {
  action<O = Record<string, unknown>, A extends unknown[] = []>(handler: Handler<O, A>): (...received: unknown[]) => Promise<void>;
}

/**
 * Wraps command handlers: builds the context (validating the global options), runs the handler,
 * and turns any failure into the one-line error and documented exit code. The context module
 * (the AWS target resolution) is imported here, at run time, so `biomage --help` never loads it.
 */
export function createRunner(io: Io, setExitCode: (code: number) => void): Runner {
  return {
    action: (handler) => async (...received) => {
      const command = received.at(-1) as Command;
      const positional = received.slice(0, -2) as never[];
      const all = command.optsWithGlobals();
      const name = commandPath(command);
      const out = outputFor({ json: Boolean(all.json), verbose: Boolean(all.verbose), color: all.color !== false }, io);
      try {
        const { parseGlobalOptions, createContext } = await import('../context.js');
        const globals = parseGlobalOptions({
          ...Object.fromEntries(GLOBAL_KEYS.map((k) => [k, all[k]])),
          rootSource: command.getOptionValueSourceWithGlobals('root'),
        });
        const ctx = createContext(name, globals, out, io);
        setExitCode((await handler(ctx, command.opts<never>(), ...(positional as never))) ?? 0);
      } catch (error) {
        const failure = asBiomageError(error);
        out.failure(name, failure);
        setExitCode(failure.exitCode);
      }
    },
  };
}

/** `dev up` for the `up` subcommand of `dev`: the program's own name left out. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c = command; c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
