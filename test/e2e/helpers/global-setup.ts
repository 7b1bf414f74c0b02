import { markedProcessNet, processesMarked, processMentions } from '../../helpers/marked-processes.js';

/**
 * The net for the e2e run: kwokctl, the control plane it starts, the controllers and the git
 * server all inherit the run's mark. Each test stops its cluster itself and asserts that nothing
 * is left; this kills whatever a test that crashed before it could left behind.
 */
export default markedProcessNet('process(es)', () => true);

/** Live processes of this test run that belong to one scratch folder (their command line or environment names it). */
export function processesUnder(dir: string): number[] {
  return processesMarked(`BIOMAGE_TEST_RUN=${process.env.BIOMAGE_TEST_RUN}`).filter((pid) => processMentions(pid, dir));
}
