import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';

describe('start-up stays lazy', () => {
  it('`biomage --help` loads neither the AWS SDK, the Kubernetes client, zod nor execa', () => {
    // A module-resolution hook records every module the process loads.
    const dir = mkdtempSync(join(tmpdir(), 'biomage-imports-'));
    const log = join(dir, 'loaded.txt');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
       export async function resolve(specifier, context, next) {
         const result = await next(specifier, context);
         appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
         return result;
       }`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(`file://${hooks}`)});`);
    for (const argv of [['--help'], ['dev', '--help'], ['doctor', '--help'], ['release', 'render', '--help'], ['ecr', 'ensure', '--help'], ['rotate-ci', '--help'], ['deploy-infra', '--help'], ['plan', '--help'], ['kubeconfig', '--help'], ['drift', '--help']]) {
      writeFileSync(log, '');
      execFileSync(process.execPath, ['--import', register, BIN, ...argv], { env: cleanEnv() });
      const loaded = readFileSync(log, 'utf8');
      expect(loaded).toContain('commander');
      for (const heavy of ['@aws-sdk', '@smithy', '@kubernetes/client-node', '/zod/', '/execa/']) {
        expect(loaded, `${argv.join(' ')} loaded ${heavy}`).not.toContain(heavy);
      }
    }
  });
});

describe('output into a closed pipe', () => {
  it('`biomage --help | head -1` exits 0 without an EPIPE trace', () => {
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', `"${BIN}" --help | head -1`], { env: cleanEnv(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: biomage/);
    expect(run.status).toBe(0);
  });
});
