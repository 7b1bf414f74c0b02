import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import { parseYamlFile } from '../../yaml/source.js';

/**
 * Supply-chain rules actionlint does not have: a tag can be moved to other code, a commit cannot;
 * without a `permissions` block a workflow gets the repository's default token scope.
 */
export const workflowRules: RuleModule = {
  rules: [
    {
      id: 'workflow-action-pinned',
      rationale: 'a tag or branch can be moved to code nobody reviewed; a commit SHA cannot',
      fix: 'pin the action to a full 40-character commit SHA, with the version in a comment (`uses: owner/action@<sha> # v1.2.3`)',
    },
    {
      id: 'workflow-permissions',
      rationale: "without a permissions block a workflow's token gets the repository's default, often write-all",
      fix: 'declare top-level `permissions:` with the least the jobs need (`contents: read` to start)',
    },
  ],
  check({ repo }) {
    const findings: Finding[] = [];
    for (const workflow of repo.workflows) {
      workflow.text.split('\n').forEach((line, index) => {
        const uses = /^\s*(?:-\s*)?uses:\s*['"]?([^\s'"#]+)/.exec(line)?.[1];
        if (!uses || uses.startsWith('./') || uses.startsWith('docker://')) return;
        if (!/@[0-9a-f]{40}$/.test(uses)) {
          findings.push({ file: workflow.file, line: index + 1, rule: 'workflow-action-pinned', message: `${uses} is not pinned to a commit SHA` });
        }
      });
      const doc = parseYamlFile(workflow.text).documents[0];
      const value = doc?.value as { permissions?: unknown } | null | undefined;
      if (value && typeof value === 'object' && value.permissions === undefined) {
        findings.push({ file: workflow.file, line: 1, rule: 'workflow-permissions', message: 'the workflow declares no top-level permissions' });
      }
    }
    return findings;
  },
};
