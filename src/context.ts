import { z } from 'zod';
import { ENVIRONMENTS, type Environment } from './config/environments.js';
import { assertEndpointFitsEnvironment, resolveAwsTarget, type AwsTarget } from './aws/target.js';
import { UsageError } from './ui/errors.js';
import type { Io, Output } from './ui/output.js';

/** The global options as commander hands them over (flags, then env vars, then defaults). */
const globalOptionsSchema = z.object({
  env: z.enum(ENVIRONMENTS),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'is not an AWS region name (like eu-west-1)')
    .optional(),
  profile: z.string().min(1).optional(),
  endpointUrl: z.string().min(1).optional(),
  json: z.boolean().default(false),
  yes: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  verbose: z.boolean().default(false),
  color: z.boolean().default(true),
});
export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

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

/** Validate the raw global options; a bad value is a UsageError naming the option. */
export function parseGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const parsed = globalOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = `--${String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`${option} '${String(raw[issue.path[0] as string])}' ${issue.message}`, {
      hint: 'see `biomage --help`',
    });
  }
  assertEndpointFitsEnvironment(parsed.data.env, parsed.data.endpointUrl);
  return parsed.data;
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
        env: options.env as Environment,
        region: options.region,
        profile: options.profile,
        endpointUrl: options.endpointUrl,
        processEnv: io.env,
      })),
  };
}
