export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/** Polls `probe` until it resolves truthy; the last probe error is the timeout's cause. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`, {
    cause: lastError,
  });
}
