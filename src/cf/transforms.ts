import { InputError } from '../ui/errors.js';
import type { ParsedYaml } from '../yaml/cfn.js';

/**
 * The template transforms (macros CloudFormation runs on a template before deploying it) that
 * the project's templates may declare. Each is one that both AWS and the twin expand the same
 * way: the twin's emulator expands the AWS::SecretsManager transform itself
 * (tools/emulator/extensions/secretsmanager_transform.py) and refuses any other. A transform
 * outside this list would deploy in AWS with effects the twin never shows, or not at all.
 */
export const SUPPORTED_TRANSFORMS: readonly string[] = ['AWS::SecretsManager-2020-07-23', 'AWS::SecretsManager-2024-09-16'];

/** The template's `Transform`: a name or a list of names (CloudFormation accepts both). */
export function declaredTransforms(doc: object): unknown[] {
  const declared = (doc as { Transform?: unknown }).Transform;
  if (declared === undefined) return [];
  return Array.isArray(declared) ? declared : [declared];
}

/** The declared transforms not in SUPPORTED_TRANSFORMS (a parameter or function counts as unknown). */
export function unsupportedTransforms(doc: object): string[] {
  return declaredTransforms(doc)
    .filter((name) => typeof name !== 'string' || !SUPPORTED_TRANSFORMS.includes(name))
    .map((name) => (typeof name === 'string' ? name : JSON.stringify(name)));
}

/** Refuse a template declaring a transform outside the supported set, naming it and its line. */
export function assertSupportedTransforms(doc: object, file: string, parsed: Pick<ParsedYaml, 'lineOf'>): void {
  const unknown = unsupportedTransforms(doc);
  if (!unknown.length) return;
  throw new InputError(`${file} declares the transform ${unknown.join(', ')}, which biomage does not support`, {
    where: `${file}:${parsed.lineOf(['Transform'])}`,
    hint: `remove it, or use one of ${SUPPORTED_TRANSFORMS.join(', ')} (src/cf/transforms.ts lists the transforms the twin expands as AWS does)`,
  });
}
