import { HopelessWaitError, WaitTimeoutError, waitUntil } from './wait-until.js';

describe('waitUntil', () => {
  it('keeps polling through ordinary probe errors and returns the first truthy value', async () => {
    let tries = 0;
    const value = await waitUntil(
      async () => {
        tries += 1;
        if (tries < 3) throw new Error('not yet');
        return 'ready';
      },
      { what: 'a flaky probe', timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(tries).toBe(3);
  });

  it('gives up at once when the probe says no later try can succeed (the process exited)', async () => {
    let tries = 0;
    const started = Date.now();
    await expect(
      waitUntil(
        async () => {
          tries += 1;
          throw new HopelessWaitError('trino exited with code 1');
        },
        { what: 'a dead process', timeoutMs: 60_000, intervalMs: 1 },
      ),
    ).rejects.toThrow('trino exited with code 1');
    expect(tries).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('times out naming what it waited for, with the last probe error as the cause', async () => {
    const failure = await waitUntil(
      async () => {
        throw new Error('connection refused');
      },
      { what: 'minio', timeoutMs: 20, intervalMs: 1 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as Error).message).toContain('minio');
    expect(((failure as Error).cause as Error).message).toBe('connection refused');
  });
});
