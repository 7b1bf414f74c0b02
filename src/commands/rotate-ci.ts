import type { Command } from 'commander';
import type { RotateCiRequest } from '../ci/rotate.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

interface RotateCiOptions {
  org?: string;
  repo?: string[];
  allowAdmin?: string[];
  prune?: boolean;
}

export function registerRotateCi(program: Command, runner: Runner): void {
  program
    .command('rotate-ci')
    .description("deploy each repository's CI user from its .ci.yaml (stack biomage-ci-users) and rotate its access key into the repository's Actions secrets")
    .option('--org <login>', 'GitHub organisation whose repositories are read (default: organisation in infra/github.yaml)')
    .option('--repo <name...>', 'only these repositories (an unknown or archived name is bad usage: exit 2, nothing changed)')
    .option('--allow-admin <repo...>', "accept a policy granting * on * (administrator access) in this repository's .ci.yaml")
    .option('--prune', 'delete the users and keys of repositories that are archived, gone, or no longer have a .ci.yaml (not with --repo)')
    .addHelpText(
      'after',
      `
Prefer GitHub OIDC roles (docs/runbooks/github-ci.md): rotate-ci is for repositories that
cannot use them.

Per repository, in this order: create a new access key; upload AWS_ACCESS_KEY_ID, then
AWS_SECRET_ACCESS_KEY, each confirmed by GitHub; only then delete the older keys. If anything
fails once the new key exists, the new key is deleted and the old one kept. A repository that
fails (bad .ci.yaml, a policy failing the IAM rules of \`biomage check\`, two active keys) is
reported and the others go on. --dry-run only reads (GitHub, IAM, CloudFormation).
production asks for confirmation, or needs --yes.

Environment:
  GITHUB_TOKEN (or GH_TOKEN)  required: a token that reads the repositories and writes their
                              Actions secrets (never a flag: flags end up in shell history)
  GITHUB_API_URL              GitHub REST API base URL (default: https://api.github.com)

Exit codes: 0 every repository ok or skipped; 1 a repository or the stack failed;
2 bad usage (no token, unknown --repo, ...): nothing was changed. See docs/runbooks/rotate-ci.md.`,
    )
    .action(
      runner.action<RotateCiOptions>((ctx, options) =>
        rotateCiCommand(ctx, {
          ...(options.org ? { org: options.org } : {}),
          repos: options.repo ?? [],
          allowAdmin: options.allowAdmin ?? [],
          prune: Boolean(options.prune),
        }),
      ),
    );
}

/** Rotate, and show the result: exit 1 when any repository (or the stack) failed. */
export async function rotateCiCommand(ctx: Context, request: RotateCiRequest): Promise<number> {
  const [{ rotateCi }, { exitCodeOf, renderRotateCiReport }] = await Promise.all([import('../ci/rotate.js'), import('../ci/report.js')]);
  const report = await rotateCi(ctx, request);
  const exitCode = exitCodeOf(report);
  ctx.out.result(ctx.command, report, renderRotateCiReport, exitCode);
  return exitCode;
}
