import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * A vitest global setup that marks every process of the run through the environment (children
 * inherit it) and, at the end, kills those still carrying the mark that `select` picks. Tests
 * stop what they start; this is the net for one that crashed before it could.
 */
export function markedProcessNet(what: string, select: (pid: number) => boolean): () => () => void {
  return () => {
    const marker = `BIOMAGE_TEST_RUN=${randomUUID()}`;
    process.env.BIOMAGE_TEST_RUN = marker.split('=')[1];
    return () => {
      const strays = processesMarked(marker).filter(select);
      for (const pid of strays) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      if (strays.length) process.stderr.write(`\nwarning: killed ${strays.length} ${what} left running by the tests: ${strays.join(', ')}\n`);
    };
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

/** Whether a process's command line or environment holds `text`. */
export function processMentions(pid: number, text: string, where: ('cmdline' | 'environ')[] = ['cmdline', 'environ']): boolean {
  try {
    return where.some((file) => readFileSync(`/proc/${pid}/${file}`, 'utf8').includes(text));
  } catch {
    return false;
  }
}
