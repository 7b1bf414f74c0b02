import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { Environment } from '../../src/config/environments.js';
import type { CheckContext, RenderedManifest } from '../../src/checks/context.js';
import { loadRepository } from '../../src/checks/repository.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository in a temporary folder with these files (path → text), removed after the test file. */
export function writeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'biomage-check-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

/**
 * A check context over a repository written from `files`, with the given rendered objects and
 * base revision (`base` maps a file to its text there).
 */
export function checkContext(
  files: Record<string, string>,
  options: { rendered?: RenderedManifest[]; base?: Record<string, string>; baseName?: string } = {},
): CheckContext {
  const { repo, findings } = loadRepository(writeRepo(files));
  if (findings.length) throw new Error(`test repository does not parse: ${JSON.stringify(findings)}`);
  return {
    repo,
    rendered: options.rendered ?? [],
    readAtBase: async (file) => options.base?.[file],
    baseName: options.baseName ?? 'origin/main',
  };
}

/** A rendered object as the orchestrator passes it; a chart's defaults unless `origin` is a release. */
export function manifest(
  template: string,
  value: Record<string, unknown>,
  options: { origin?: string; environment?: Environment; namespace?: string } = {},
): RenderedManifest {
  return {
    value,
    template,
    origin: options.origin ?? template.split('/templates/')[0]!,
    environment: options.environment,
    namespace: options.namespace ?? 'default',
  };
}
