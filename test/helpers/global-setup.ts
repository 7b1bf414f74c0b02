import { markedProcessNet, processMentions } from './marked-processes.js';

/** The net for emulators a failed or crashed test left running (a detached `dev up` emulator). */
export default markedProcessNet('emulator(s)', (pid) => processMentions(pid, 'tools/emulator/launch.py', ['cmdline']));
