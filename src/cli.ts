import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerAccess } from './commands/access.js';
import { registerCheck } from './commands/check.js';
import { registerConfigure } from './commands/configure.js';
import { registerDeployCf } from './commands/deploy-cf.js';
import { registerDeployInfra } from './commands/deploy-infra.js';
import { registerDestroy } from './commands/destroy.js';
import { registerDev } from './commands/dev.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDrift } from './commands/drift.js';
import { registerEcr } from './commands/ecr.js';
import { registerKubeconfig } from './commands/kubeconfig.js';
import { registerPlan } from './commands/plan.js';
import { registerRelease } from './commands/release.js';
import { registerRotateCi } from './commands/rotate-ci.js';
import { createRunner } from './commands/runner.js';
import { DEFAULT_REGION, ENVIRONMENTS } from './config/environments.js';
import { biomageVersion } from './paths.js';
import { ExitCode, UsageError } from './ui/errors.js';
import { outputFor, type Io } from './ui/output.js';

// Only light modules are imported above: the AWS SDK, the Kubernetes client, zod and execa are
// loaded by each command when it runs, which keeps `biomage --help` at bare-node start-up cost.

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the operation failed (AWS refused, a tool failed); see the error for what and where
  2  bad usage or bad input: nothing was changed
  3  a check found problems

Environment:
  BIOMAGE_ENV, BIOMAGE_ROOT, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, NO_COLOR set the options above;
  KUBECONFIG is honoured; CI (or no terminal) means nothing prompts: production needs --yes.
  BIOMAGE_TOOLS_DIR relocates the pinned toolchain (.tools/ beside biomage's own code);
  BIOMAGE_STATE_DIR relocates local state (.biomage/ in the repository: the twin, the local cluster).

Repository:
  biomage works on the repository you stand in, as git does: the nearest folder at or above the
  working directory that holds cf/ and infra/cluster.yaml. --root <dir> (or BIOMAGE_ROOT) names
  another; outside any, a command that reads the repository exits 2.`;

export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('biomage')
    .description('Operate the Cellenics platform on AWS: clusters, CloudFormation stacks, releases, CI credentials.')
    .version(biomageVersion(), '--version', 'print the version of biomage')
    .addOption(
      new Option('-e, --env <name>', 'target environment; development is the local twin')
        .choices(ENVIRONMENTS)
        .default('development')
        .env('BIOMAGE_ENV'),
    )
    .addOption(
      new Option('--region <region>', `AWS region (default: the profile's region, then ${DEFAULT_REGION})`)
        .env('AWS_REGION')
        .argParser(parseRegion),
    )
    .addOption(new Option('--profile <name>', 'AWS shared-config profile').env('AWS_PROFILE'))
    .addOption(
      new Option('--endpoint-url <url>', 'AWS endpoint of the local twin (development only)').env('AWS_ENDPOINT_URL'),
    )
    .addOption(
      new Option('--root <dir>', 'the repository to work on (default: the one holding the working directory)').env('BIOMAGE_ROOT'),
    )
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('-y, --yes', 'confirm changes to production without a prompt (required when not interactive)')
    .option('--dry-run', 'show what would change; change nothing')
    .option('-v, --verbose', 'stream tool output and show stack traces')
    .addOption(new Option('--no-color', 'plain output (also when stderr is not a terminal)').env('NO_COLOR'))
    .addHelpText('after', EXIT_CODES_HELP)
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are reported by main() in the same format as every other error.
      outputError: () => undefined,
    });

  // Commands are registered after the settings above: commander copies them into each
  // command when it is created.
  const runner = createRunner(io, setExitCode);
  registerCheck(program, runner);
  registerDeployCf(program, runner);
  registerDoctor(program, runner);
  registerDev(program, runner);
  registerRelease(program, runner);
  registerEcr(program, runner);
  registerDeployInfra(program, runner);
  registerPlan(program, runner);
  registerKubeconfig(program, runner);
  registerRotateCi(program, runner);
  registerConfigure(program, runner);
  registerAccess(program, runner);
  registerDrift(program, runner);
  registerDestroy(program, runner);
  return program;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

function parseRegion(value: string): string {
  if (!REGION.test(value)) throw new InvalidArgumentError('it is not an AWS region name (like eu-west-1).');
  return value;
}

/** Run the CLI with these arguments; resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return usageFailure(error, argv, io);
  }
}

/** Commander's own errors (unknown command, bad choice, missing argument) become exit 2. */
function usageFailure(error: CommanderError, argv: string[], io: Io): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
  // No command at all: commander has printed the help to stderr.
  if (error.code === 'commander.help') return ExitCode.BadInput;
  const message = error.message.replace(/^error:\s*/, '');
  const out = outputFor({ json: argv.includes('--json'), verbose: false, color: !argv.includes('--no-color') }, io);
  out.failure('biomage', new UsageError(message, { hint: 'see `biomage --help`' }));
  return ExitCode.BadInput;
}

export function processIo(): Io {
  // A reader that stops early (`biomage --help | head`) closes the pipe: what it did not read is
  // not wanted, which is no failure of biomage.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
