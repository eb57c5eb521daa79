import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

/**
 * A probe error that no later try can cure (the awaited process has exited): waitUntil rethrows it at once
 * instead of polling until its timeout (up to minutes for Trino) with the cause hidden in the last error.
 */
export class HopelessWaitError extends Error {}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Gives up at once with the signal's reason (a bench interrupted while a component starts). */
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it resolves truthy; the last probe error is the timeout's cause. A HopelessWaitError from
 * the probe ends the wait at once.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof HopelessWaitError) throw error;
      lastError = error;
    }
    await sleep(options.intervalMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined);
  }
  options.signal?.throwIfAborted();
  throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`, {
    cause: lastError,
  });
}
