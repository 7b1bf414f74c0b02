import type { Command } from 'commander';
import type { Runner } from './runner.js';

interface DoctorOptions {
  aws: boolean;
}

export function registerDoctor(program: Command, runner: Runner): void {
  program
    .command('doctor')
    .description('report the repository and toolchain in use, each tool (version, where it came from) and the AWS identity; say how to fix what is missing')
    .option('--no-aws', 'skip the AWS identity check (STS GetCallerIdentity)')
    .addHelpText('after', '\nExit code 3 when a required tool is missing or at the wrong version, or AWS is unreachable.')
    .action(
      runner.action<DoctorOptions>(async (ctx, options) => {
        const { runDoctor, renderDoctor } = await import('../doctor/doctor.js');
        const report = await runDoctor(ctx, { aws: options.aws });
        const exitCode = report.problems > 0 ? 3 : 0;
        ctx.out.result(ctx.command, report, renderDoctor, exitCode);
        return exitCode;
      }),
    );
}
