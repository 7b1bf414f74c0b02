import type { Command } from 'commander';
import type { Runner } from './runner.js';

interface GuardOptions {
  base: string;
}

export function registerRelease(program: Command, runner: Runner): void {
  const release = program.command('release').description('the HelmRelease files under releases/<env>/, which only CI writes');

  release
    .command('guard')
    .description('fail when the changes since --base touch releases/ other than documentation (what guard-releases.yaml runs)')
    .requiredOption('--base <git-ref>', 'the pull request base (e.g. origin/main)')
    .addHelpText('after', '\nExit 3 when a file under releases/ other than *.md was added, changed, renamed or deleted.')
    .action(
      runner.action<GuardOptions>(async (ctx, options) => {
        const [{ pathsChangedSince }, { forbiddenReleaseChanges }, { repoRoot }] = await Promise.all([
          import('../tools/git.js'),
          import('../releases/guard.js'),
          import('../paths.js'),
        ]);
        const forbidden = forbiddenReleaseChanges(await pathsChangedSince(options.base, repoRoot));
        const exitCode = forbidden.length ? 3 : 0;
        ctx.out.result(
          ctx.command,
          { forbidden },
          ({ forbidden: paths }) =>
            paths.length
              ? [
                  `releases/ is written by the services' CI only; this change touches:`,
                  ...paths.map((p) => `  ${p}`),
                  `fix: revert these files; a release changes through the service's own pipeline (biomage release render/push)`,
                ].join('\n')
              : 'releases/: no changes other than documentation',
          exitCode,
        );
        return exitCode;
      }),
    );
}
