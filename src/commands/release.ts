import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Runner } from './runner.js';

interface GuardOptions {
  base: string;
}

interface RenderOptions {
  template: string;
  image: string;
  sha: string;
  source?: string;
  set: string[];
}

interface DiffOptions {
  base?: string;
  exitCode?: boolean;
}

interface PushOptions {
  remote: string;
  branch?: string;
  attempts: number;
}

export function registerRelease(program: Command, runner: Runner): void {
  const release = program
    .command('release')
    .description('the HelmRelease files under releases/<env>/, which only CI writes')
    .addHelpText(
      'after',
      '\nA service repository\'s CI runs `release render` then `release push` (the reusable workflow push-helmrelease.yaml); see docs/runbooks/releases.md.',
    );

  release
    .command('render')
    .description("fill a service's .flux.ci template in for --env and write releases/<env>/<service>.yaml")
    .requiredOption('--template <file>', "the service repository's .flux.ci")
    .requiredOption('--image <reference>', 'the image CI pushed: registry/repository:tag or registry/repository@sha256:<digest>')
    .requiredOption('--sha <commit>', 'the full commit SHA of the service the image was built from')
    .addOption(new Option('--source <owner/name>', 'the service repository, for the record on the release').env('GITHUB_REPOSITORY'))
    .option('--set <name=value>', 'fill the placeholder ${name} (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .addHelpText(
      'after',
      [
        '',
        'Placeholders: ${env} ${image} ${image.registry} ${image.repository} ${image.tag} ${image.digest}',
        '              ${sha} ${sha.short} ${source}, and any ${name} given with --set ($${…} is a literal ${…}).',
        'The result is checked before it is written: the HelmRelease schema, the chart rendered with its values',
        '(helm, values.schema.json), and every object through kubeconform. Exit 2 on any problem: nothing is written.',
      ].join('\n'),
    )
    .action(
      runner.action<RenderOptions>(async (ctx, options) => {
        const { renderRelease } = await import('../releases/render.js');
        const result = await renderRelease(
          { env: ctx.env, template: options.template, image: options.image, sha: options.sha, source: options.source, set: options.set },
          { root: ctx.root, dryRun: ctx.dryRun, env: ctx.processEnv },
        );
        ctx.out.result(ctx.command, result, (r) =>
          !r.changed
            ? `${r.file} already holds this release (${r.image})`
            : `${r.written ? 'wrote' : 'would write'} ${r.file}: ${r.service} ${r.image} from ${r.sha.slice(0, 12)}`,
        );
      }),
    );

  release
    .command('push')
    .description('commit the changed files of releases/<env>/ and push them, rebasing when another pipeline pushed first')
    .option('--remote <name>', 'the git remote to push to', 'origin')
    .option('--branch <name>', 'the branch Flux reads (default: defaultBranch of infra/github.yaml)')
    .addOption(new Option('--attempts <n>', 'pushes to try before giving up').default(5).argParser(positiveInteger))
    .addHelpText('after', '\nNever force-pushes. Exit 1 when two pipelines changed the same release file at once (nothing is pushed).')
    .action(
      runner.action<PushOptions>(async (ctx, options) => {
        const [{ pushReleases }, { loadGithubConfig }, { confirmChange }] = await Promise.all([
          import('../releases/push.js'),
          import('../config/github.js'),
          import('../ui/confirm.js'),
        ]);
        const { root } = ctx;
        const branch = options.branch ?? loadGithubConfig(root).defaultBranch;
        await confirmChange(ctx, `release push to ${branch} (releases/${ctx.env}/)`);
        const result = await pushReleases({ env: ctx.env, root, remote: options.remote, branch, attempts: options.attempts, dryRun: ctx.dryRun });
        ctx.out.result(ctx.command, result, (r) => {
          if (!r.files.length) return `releases/${ctx.env}/: nothing to push`;
          if (!r.commit) return `would commit and push ${r.files.join(', ')}:\n\n${r.message}`;
          const retried = r.rebases ? ` after ${r.rebases} rebase${r.rebases > 1 ? 's' : ''} onto newer commits` : '';
          return `pushed ${r.commit.slice(0, 12)} to ${options.remote}/${branch}${retried}: ${r.message.split('\n')[0]}`;
        });
      }),
    );

  release
    .command('flux-sync')
    .description('print the Flux GitRepository and Kustomization that make a cluster apply releases/<env>/')
    .addHelpText('after', '\nRead from infra/github.yaml; `configure` applies the same objects. With --json, the objects as JSON.')
    .action(
      runner.action(async (ctx) => {
        const [{ fluxSyncManifests, fluxSyncObjects, githubSource }, { loadGithubConfig }, { clusterEnvironment }] = await Promise.all([
          import('../releases/flux-sync.js'),
          import('../config/github.js'),
          import('../infra/cluster-config.js'),
        ]);
        const env = clusterEnvironment(ctx.env);
        const github = loadGithubConfig(ctx.root);
        const source = githubSource(github);
        if (ctx.json) ctx.out.result(ctx.command, fluxSyncObjects(env, source), () => '');
        else ctx.out.document(fluxSyncManifests(env, source).trimEnd());
      }),
    );

  release
    .command('diff')
    .description('what a change under releases/ or charts/ does to the objects of releases/<env>/: offline against --base, else against the cluster')
    .option('--base <git-ref>', 'compare with the releases and charts at this revision (what a pull request runs; no cluster needed)')
    .option('--exit-code', 'exit 3 when anything differs (0 otherwise), as `git diff --exit-code`')
    .addHelpText(
      'after',
      [
        '',
        'Every HelmRelease of releases/<env>/ is rendered with its chart and values as helm-controller would, and',
        'compared object by object (kind, namespace, name), then field by field: `spec.replicas: 2 → 3`, a unified',
        'diff of each changed object (keys sorted), added and removed objects. Secret data is never shown: only',
        'that a key changed. With --base, the base comes from git (what it needs exported to a temporary folder);',
        'a release whose HelmRelease, chart folder and values files are identical at both sides (uncommitted and',
        'untracked files count) is `unchanged, not rendered`.',
        'Without it, each rendered object is applied to the cluster with dryRun=All as helm-controller applies it',
        "(server-side apply, field manager helm-controller) and the result is compared with the live object over",
        'the fields helm-controller owns; the cluster is the context biomage-<env> of KUBECONFIG (development:',
        'the local cluster of `biomage dev cluster up`). Nothing is changed either way.',
        'Exit 2 for a --base that does not exist, a release that does not render, or no cluster to compare with',
        '(no kubeconfig context, local cluster not running); exit 1 when the cluster refuses the dry run.',
      ].join('\n'),
    )
    .action(
      runner.action<DiffOptions>(async (ctx, options) => {
        // base-diff.js first and alone: it starts git before the heavier modules load.
        const report = options.base
          ? await (await import('../releases/base-diff.js')).diffAgainstBase({ root: ctx.root, env: ctx.env, base: options.base, processEnv: ctx.processEnv })
          : await (async () => {
              const [{ diffAgainstCluster, diffTarget }, { clusterTarget }] = await Promise.all([import('../releases/live-diff.js'), import('../configure/cluster-target.js')]);
              const target = diffTarget(ctx.env, () => clusterTarget(ctx.env, ctx.processEnv, () => ctx.stateDir), () => ctx.stateDir);
              ctx.out.step(`comparing releases/${ctx.env}/ with ${target.label} (server-side dry run)`);
              return diffAgainstCluster({ root: ctx.root, env: ctx.env, target, processEnv: ctx.processEnv });
            })();
        const { hasDifferences, renderDiffReport } = await import('../releases/diff.js');
        const exitCode = options.exitCode && hasDifferences(report) ? 3 : 0;
        // The diff is the product, as with git diff: on stdout (plain text), so it can be piped or saved.
        if (ctx.json) ctx.out.result(ctx.command, report, () => '', exitCode);
        else ctx.out.document(renderDiffReport(report));
        return exitCode;
      }),
    );

  release
    .command('guard')
    .description('fail when the changes since --base touch releases/ other than documentation (what guard-releases.yaml runs)')
    .requiredOption('--base <git-ref>', 'the pull request base (e.g. origin/main)')
    .addHelpText('after', '\nExit 3 when a file under releases/ other than *.md was added, changed, renamed or deleted.')
    .action(
      runner.action<GuardOptions>(async (ctx, options) => {
        const [{ pathsChangedSince }, { forbiddenReleaseChanges }] = await Promise.all([import('../tools/git.js'), import('../releases/guard.js')]);
        const forbidden = forbiddenReleaseChanges(await pathsChangedSince(options.base, ctx.root));
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

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('it must be a whole number of at least 1.');
  return n;
}
