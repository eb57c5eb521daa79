import { getEventListeners } from 'node:events';
import { sleep } from './watcher.js';

describe('sleep on a long-lived abort signal', () => {
  it('leaves no abort listener behind once the timer fired', async () => {
    const abort = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('ends early when the signal aborts, and at once when it already has', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const sleeping = sleep(60_000, abort.signal);
    abort.abort();
    await sleeping;
    await sleep(60_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
