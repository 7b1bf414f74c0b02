import { describe, expect, it } from 'vitest';
import { LiveStatus } from '../../../src/ui/live-status.js';

describe('LiveStatus', () => {
  it('without a terminal prints each change once, in order', () => {
    let out = '';
    const status = new LiveStatus((t) => (out += t), false);
    status.set('biomage-s3-staging', 'queued');
    status.log('  event');
    status.set('biomage-s3-staging', 'create: ok (1.0s)');
    expect(out).toBe('› biomage-s3-staging: queued\n  event\n› biomage-s3-staging: create: ok (1.0s)\n');
  });

  it('on a terminal keeps one line per key at the bottom, redrawn in place under the scrolling log', () => {
    let out = '';
    const status = new LiveStatus((t) => (out += t), true);
    status.set('a', 'queued');
    status.set('bb', 'queued');
    out = '';
    status.log('event 1');
    // erase the two status lines, print the event, redraw both statuses
    expect(out).toBe('\u001b[2F\u001b[Jevent 1\na   queued\nbb  queued\n');
    out = '';
    status.set('a', 'executing');
    expect(out).toBe('\u001b[2F\u001b[Ja   executing\nbb  queued\n');
  });
});
