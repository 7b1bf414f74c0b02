import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Marks every process of this test run (the marker is inherited through the environment) and,
 * at the end, kills any emulator that still carries it. Tests stop their own emulators; this
 * is the net for a failed or crashed test that left a detached `dev up` emulator behind.
 */
export default function setup(): () => void {
  const marker = `BIOMAGE_TEST_RUN=${randomUUID()}`;
  process.env.BIOMAGE_TEST_RUN = marker.split('=')[1];
  return () => {
    const strays = emulatorsWith(marker);
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (strays.length) process.stderr.write(`\nwarning: killed ${strays.length} emulator(s) left running by the tests: ${strays.join(', ')}\n`);
  };
}

function emulatorsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('tools/emulator/launch.py')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}
