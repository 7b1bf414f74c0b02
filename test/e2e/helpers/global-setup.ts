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

/** Live processes whose environment carries the marker (this process and its workers excluded). */
export function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // `pid (comm) state ppid …`: zombies have exited; our own children are vitest's workers.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || Number(ppid) === process.pid) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

/** Live processes of this test run that belong to one scratch folder (their command line or environment names it). */
export function processesUnder(dir: string): number[] {
  return processesMarked(`BIOMAGE_TEST_RUN=${process.env.BIOMAGE_TEST_RUN}`).filter((pid) => {
    try {
      return ['cmdline', 'environ'].some((file) => readFileSync(`/proc/${pid}/${file}`, 'utf8').includes(dir));
    } catch {
      return false;
    }
  });
}
