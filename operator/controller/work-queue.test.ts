import { waitUntil } from '../../testbin/harness/wait-until.js';
import { WorkQueue } from './work-queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('processes a key added many times while queued only once', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue({ concurrency: 1, handler: async (k) => void seen.push(k) });
    queue.add('busy');
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    await tick();
    expect(seen).toEqual(['busy', 'a', 'b']);
  });

  it('never runs one key concurrently and reruns it once when added during processing', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      handler: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await tick(20);
        running--;
      },
    });
    queue.add('a');
    await tick();
    queue.add('a');
    queue.add('a');
    await tick(80);
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries a failing key with growing backoff and resets after a success', async () => {
    const times: number[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      baseDelayMs: 10,
      handler: async () => {
        times.push(Date.now());
        if (times.length < 3) throw new Error('boom');
      },
    });
    queue.add('a');
    await waitUntil(async () => times.length >= 3, { what: 'three runs', timeoutMs: 10_000, intervalMs: 5 });
    // Timers never fire early, only late (by a lot at load 50): the doubled delays are lower bounds. Comparing the
    // two gaps with each other failed whenever the first timer was the later one (a 10 ms wait measured 38 ms).
    // Date.now() has 1 ms granularity, hence the 1 ms slack.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(9);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(19);
    expect(times).toHaveLength(3);
  });

  it('waits for in-flight work on shutdown and accepts no new keys', async () => {
    let finished = false;
    const queue = new WorkQueue({
      concurrency: 1,
      handler: async () => {
        await tick(20);
        finished = true;
      },
    });
    queue.add('a');
    await tick();
    await queue.shutDown();
    expect(finished).toBe(true);
    queue.add('b');
    expect(queue.depth).toBe(0);
  });
});
