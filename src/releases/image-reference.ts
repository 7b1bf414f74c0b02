/** An OCI image reference, split the way Helm charts take it (`image.repository` + tag or digest). */
export interface ImageReference {
  /** As given. */
  reference: string;
  /** The registry host (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`), when named. */
  registry?: string;
  /** Everything before the tag and digest, registry included: what charts call `image.repository`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

// The distribution spec's grammar: path components of lower-case letters and digits joined by
// `.`, `_`, `__` or dashes; a tag of up to 128 word characters, dots and dashes.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:(?<registry>(?:localhost|[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)+)(?::\\d+)?|[a-zA-Z0-9-]+:\\d+)/)?` +
    `(?<path>${COMPONENT}(?:/${COMPONENT})*)` +
    `(?::(?<tag>[\\w][\\w.-]{0,127}))?` +
    `(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

/**
 * Parse a reference; a reason in words when it is not one a release may run. A release must be
 * reproducible, so the reference needs a tag or a digest, and the tag may not be `latest`.
 */
export function parseImageReference(reference: string): ImageReference | { problem: string } {
  const match = REFERENCE.exec(reference);
  if (!match?.groups) {
    return { problem: 'is not an image reference (registry/repository:tag or registry/repository@sha256:<digest>)' };
  }
  // The pattern's path group is not optional: it is there whenever the reference matched.
  const { registry, path = '', tag, digest } = match.groups;
  if (!tag && !digest) return { problem: 'has neither a tag nor a digest; a release must name the exact image it runs' };
  if (tag === 'latest') return { problem: "is tagged `latest`, which moves; use the tag CI pushed (or a digest)" };
  return { reference, registry, repository: registry ? `${registry}/${path}` : path, tag, digest };
}
