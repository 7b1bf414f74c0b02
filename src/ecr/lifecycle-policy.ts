import { canonicalJson } from '../canonical-json.js';

/**
 * The lifecycle policy every platform repository carries. ECR applies it within 24 hours of a
 * change and then daily; an expired image is deleted for good, so the rules err on keeping.
 */
export const LIFECYCLE_POLICY = {
  rules: [
    {
      // CI pushes every release image with a tag, and immutable tags never move off an image, so
      // an untagged image is the leftover of an interrupted or stray push, not something a release
      // runs. A week leaves time to look at a failed build before it goes.
      rulePriority: 1,
      description: 'Expire untagged images 7 days after they were pushed',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
    {
      // A rollback deploys an older tag, which must still exist: keep many. 200 covers months of
      // releases at several a day, while stopping the repository (and its storage bill) growing
      // forever. `tagged` needs a pattern; `*` matches every tag.
      rulePriority: 2,
      description: 'Keep the 200 most recent tagged images (rollbacks deploy older tags)',
      selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 200 },
      action: { type: 'expire' },
    },
  ],
} as const;

/** The policy in a few words, for reports. */
export const LIFECYCLE_POLICY_SUMMARY = 'untagged expire after 7 days; newest 200 tagged kept';

/** The text sent to PutLifecyclePolicy. */
export const LIFECYCLE_POLICY_TEXT = JSON.stringify(LIFECYCLE_POLICY);

/**
 * Whether a repository's lifecycle policy text (GetLifecyclePolicy) is the platform's. Compared
 * as data, not text: ECR may return the policy with other whitespace, key order or rule order
 * (it is known to sort rules by priority). Text that is not JSON is never the same.
 */
export function isPlatformLifecyclePolicy(text: string | undefined): boolean {
  if (text === undefined) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return canonicalJson(normalizePolicy(parsed)) === canonicalJson(normalizePolicy(LIFECYCLE_POLICY));
}

/** Rules in priority order, so two policies that differ only in rule order compare equal. */
function normalizePolicy(policy: unknown): unknown {
  if (!isRecord(policy) || !Array.isArray(policy.rules)) return policy;
  const priority = (rule: unknown) => (isRecord(rule) && typeof rule.rulePriority === 'number' ? rule.rulePriority : Infinity);
  return { ...policy, rules: [...(policy.rules as unknown[])].sort((a, b) => priority(a) - priority(b)) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
