import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Write a file whole or not at all: through a temporary file beside it and a rename, so a reader
 * (Flux, another biomage, a crash's aftermath) never sees half of it.
 */
export function writeFileAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
