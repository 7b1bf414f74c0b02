/**
 * releases/ is written by the services' CI only: a pull request may change its documentation
 * (`*.md`) and nothing else there. Deleted and renamed files count too (both of a rename's paths).
 */
export function forbiddenReleaseChanges(changed: readonly string[]): string[] {
  return [...new Set(changed)].filter((path) => path.startsWith('releases/') && !path.toLowerCase().endsWith('.md')).sort();
}
