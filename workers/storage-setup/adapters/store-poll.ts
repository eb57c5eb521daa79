import { setTimeout as sleep } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A client for probing a store that may not be up yet: one try per request (the poll is the retry), and a connect
 * timeout, so an address that drops packets does not hold one try for the kernel's whole connect timeout.
 */
export function probeClient(options: {
  endpoint: string | undefined;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: options.credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 10_000 }),
  });
}

export interface PollOptions {
  intervalMs: number;
  /** Told each distinct reason once, as the poll starts waiting for it. */
  waiting: (problem: string) => void;
  /** Past `at` (epoch ms) the poll throws what `giveUp` makes of the last reason; without it, it waits on. */
  deadline?: { at: number; giveUp: (problem: string) => Error };
  signal?: AbortSignal;
}

/**
 * Asks `problem` until it answers undefined (the store is usable, or at least answers): the one wait loop of the
 * storage Job (its store answering) and of the workers' init container (their bucket and user existing).
 */
export async function pollStore(
  problem: () => Promise<string | undefined>,
  options: PollOptions,
): Promise<void> {
  let last: string | undefined;
  for (;;) {
    const now = await problem();
    if (now === undefined) return;
    if (now !== last) options.waiting(now);
    last = now;
    if (options.deadline && Date.now() >= options.deadline.at) throw options.deadline.giveUp(now);
    options.signal?.throwIfAborted();
    await sleep(options.intervalMs);
  }
}
