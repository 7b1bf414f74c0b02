import type { ToolIdentity } from './run.js';

/** What `biomage doctor` needs to know about a binary; each facade exports one. */
export interface ToolSpec extends ToolIdentity {
  /** The name shown to people when it differs from the binary's (moto runs as `python`). */
  label?: string;
  /** Where it is, when not found by name (node is the running process itself). */
  where?: () => { path: string; source: 'project' | 'PATH' };
  /** Why the project needs it, in a few words. */
  purpose: string;
  /** The pin in tools/versions.env: an exact version, a minimum, or none (reported only). */
  pin?: { key: string; kind: 'exact' | 'minimum' };
  /** Whether its absence is a problem (otherwise it is reported as optional). */
  required: boolean;
  /** Ask the binary its version; undefined when it cannot tell. */
  version(env: NodeJS.ProcessEnv): Promise<string | undefined>;
}

/** The first line of a command's output with a prefix removed, or undefined. */
export function firstLine(text: string, strip?: RegExp): string | undefined {
  const line = text.trim().split('\n')[0]?.trim();
  if (!line) return undefined;
  return strip ? line.replace(strip, '').trim() : line;
}
