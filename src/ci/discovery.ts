import { CI_CONFIG_FILES } from '../config/ci-config.js';
import type { GithubClient, GithubRepository } from '../github/client.js';
import { UsageError } from '../ui/errors.js';
import { mapLimit } from '../map-limit.js';

/** GitHub reads at once: the REST API limits concurrent requests per token. */
const CONCURRENCY = 4;

export interface Discovery {
  /** The repositories this run handles: every live one, or those named by --repo. */
  selected: GithubRepository[];
  /** Every repository of the organisation, archived ones included (for pruning decisions). */
  all: GithubRepository[];
}

/**
 * The organisation's repositories, archived ones left out. A name given with --repo that is not
 * a live repository of the organisation is bad usage: the run stops before anything changes.
 */
export async function discoverRepositories(github: GithubClient, org: string, only: readonly string[]): Promise<Discovery> {
  const all = await github.listOrgRepos(org);
  const live = all.filter((r) => !r.archived);
  if (!only.length) return { selected: live.sort(byName), all };

  // GitHub's repository names are case-insensitive; the listing has their exact spelling.
  const byLowerName = new Map(all.map((r) => [r.name.toLowerCase(), r]));
  const selected: GithubRepository[] = [];
  for (const name of new Set(only)) {
    const repo = byLowerName.get(name.toLowerCase());
    if (!repo) throw new UsageError(`--repo ${name}: ${org} has no repository of that name`, { hint: `check the spelling (the organisation has ${all.length} repositories); nothing was changed` });
    if (repo.archived) throw new UsageError(`--repo ${name}: ${org}/${repo.name} is archived`, { hint: 'archived repositories run no CI; nothing was changed' });
    selected.push(repo);
  }
  return { selected: selected.sort(byName), all };
}

export type ConfigFile = { repo: GithubRepository; file: string; text: string } | { repo: GithubRepository; file?: undefined; error?: Error };

/** Each repository's `.ci.yaml` (or `.ci.yml`) on its default branch; none found means skipped, an error means failed. */
export async function readCiConfigs(github: GithubClient, org: string, repos: readonly GithubRepository[]): Promise<ConfigFile[]> {
  return mapLimit(repos, CONCURRENCY, async (repo): Promise<ConfigFile> => {
    try {
      for (const file of CI_CONFIG_FILES) {
        const text = await github.getFile(org, repo.name, file, repo.defaultBranch);
        if (text !== undefined) return { repo, file, text };
      }
      return { repo };
    } catch (error) {
      return { repo, error: error as Error };
    }
  });
}

const byName = (a: GithubRepository, b: GithubRepository) => a.name.localeCompare(b.name);
