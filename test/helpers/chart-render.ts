import { parseAllDocuments } from 'yaml';
import type { RenderResult } from '../../src/tools/helm.js';

/** A rendered object, read freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects of every kind, read by path in assertions that fail loudly on a wrong shape
export type Obj = Record<string, any>;

/** A `helm template` that must succeed: its text and its objects (empty documents dropped). */
export async function renderedObjects(result: Promise<RenderResult>): Promise<{ text: string; objects: Obj[] }> {
  const rendered = await result;
  if (!rendered.ok) throw new Error(`helm template failed: ${rendered.message}`);
  const objects = parseAllDocuments(rendered.manifests)
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => !!o);
  return { text: rendered.manifests, objects };
}
