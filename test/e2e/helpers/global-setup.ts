import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Marks every process of the e2e run through the environment (kwokctl, the control plane it
 * starts, the controllers and the git server all inherit it) and, at the end, kills any that
 * still carries the mark. Each test stops its cluster itself and asserts that nothing is left;
 * this is the net for a test that crashed before it could.
 */
export default function setup(): () => void {
  const marker = `BIOMAGE_TEST_RUN=${randomUUID()}`;
  process.env.BIOMAGE_TEST_RUN = marker.split('=')[1];
  return () => {
    const strays = processesMarked(marker);
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (strays.length) process.stderr.write(`\nwarning: killed ${strays.length} process(es) left running by the e2e tests: ${strays.join(', ')}\n`);
  };
}

/** Live processes whose environment carries the marker (this process and its parents excluded). */
export function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}
