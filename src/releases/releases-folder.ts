/** `releases/<env>`: the folder Flux's Kustomization applies to the environment's cluster (flux-sync.ts). */
export function releasesFolder(env: string): string {
  return `releases/${env}`;
}
