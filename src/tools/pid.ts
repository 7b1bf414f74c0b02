import { readFileSync } from 'node:fs';

/** Whether a process is running. Light on purpose: the AWS target check uses it on every command. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0): it has exited but its parent has not reaped it yet.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
