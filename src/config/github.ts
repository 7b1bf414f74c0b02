import { z } from 'zod';
import { loadConfigFile } from './config-file.js';

/** The one file that says where this repository lives on GitHub. */
export const GITHUB_CONFIG_FILE = 'infra/github.yaml';

// GitHub's own rules: organisation logins are alphanumeric with single inner dashes; repository
// names are letters, digits, `.`, `_` and `-`; a branch may not hold spaces, `~^:?*[\` or `..`.
export const GITHUB_ORGANISATION = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/;
export const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;

const githubConfigSchema = z.strictObject({
  organisation: z.string().regex(GITHUB_ORGANISATION, { error: 'must be a GitHub organisation login' }),
  repository: z.string().regex(GITHUB_REPOSITORY, { error: 'must be a GitHub repository name' }),
  defaultBranch: z
    .string()
    .regex(/^(?!.*\.\.)(?!\/)[^\s~^:?*[\\]+(?<![/.])$/, { error: 'must be a git branch name' })
    .default('main'),
});

export type GithubConfig = z.infer<typeof githubConfigSchema>;

/** The SSH address Flux clones this repository from (a deploy key authenticates it). */
export function repositorySshUrl(config: GithubConfig): string {
  return `ssh://git@github.com/${config.organisation}/${config.repository}.git`;
}

export function loadGithubConfig(root: string): GithubConfig {
  return loadConfigFile(root, GITHUB_CONFIG_FILE, githubConfigSchema, {
    missing: 'create it with organisation, repository and defaultBranch',
    invalid: 'fix the field named; organisation and repository are where this repository lives on GitHub',
  }).data;
}
