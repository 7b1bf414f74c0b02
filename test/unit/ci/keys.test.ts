import type { IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { keyDate, planKeys, redactKeyIds, type AccessKeyInfo } from '../../../src/ci/keys.js';

// The two-active-keys case reads last-use dates from IAM: tested against the emulator.
const noIam = {} as IAMClient;
const key = (id: string, active: boolean, day: number): AccessKeyInfo => ({ id, active, created: new Date(Date.UTC(2025, 0, day)) });

describe('planKeys', () => {
  it('no key: create one, nothing to delete or set back', async () => {
    expect(await planKeys(noIam, 'ci-user-a', [])).toEqual({ ok: true, older: [] });
  });

  it('one active key: it is what CI uses, deleted once the new one is in GitHub', async () => {
    const ci = key('AKIAAAAAAAAAAAAAAAA1', true, 1);
    expect(await planKeys(noIam, 'ci-user-a', [ci])).toEqual({ ok: true, older: [ci], current: ci });
  });

  it('at the limit with an inactive key: the oldest inactive one makes room, never the active one', async () => {
    const oldInactive = key('AKIAAAAAAAAAAAAAAAA1', false, 1);
    const ci = key('AKIAAAAAAAAAAAAAAAA2', true, 2);
    expect(await planKeys(noIam, 'ci-user-a', [oldInactive, ci])).toEqual({ ok: true, removeFirst: oldInactive, older: [ci], current: ci });
    const newInactive = key('AKIAAAAAAAAAAAAAAAA3', false, 3);
    expect(await planKeys(noIam, 'ci-user-a', [ci, newInactive])).toEqual({ ok: true, removeFirst: newInactive, older: [ci], current: ci });
    const both = [key('AKIAAAAAAAAAAAAAAAA4', false, 1), key('AKIAAAAAAAAAAAAAAAA5', false, 2)];
    expect(await planKeys(noIam, 'ci-user-a', both)).toEqual({ ok: true, removeFirst: both[0], older: [both[1]] });
  });
});

describe('key material in messages', () => {
  it('access key ids are redacted from AWS messages; dates are to the second', () => {
    expect(redactKeyIds('The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found')).toBe('The Access Key with id <access key id> cannot be found');
    expect(keyDate(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe('2025-01-02T03:04:05Z');
  });
});
