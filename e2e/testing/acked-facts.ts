import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { S3ObjectStore } from '../../workers/adapters/object-store/s3-object-store.js';
import { storedEventIds } from './cluster-gravix.js';

/** Batches of request facts for a service, with ids unique across the whole test file. */
export class FactSender {
  private sent = 0;

  constructor(private readonly service: string) {}

  batch(prefix: string, n: number) {
    return Array.from({ length: n }, (_, i) => ({
      event_id: `${prefix}-${this.sent++}-${i}`,
      timestamp: Date.now() - 1000,
      service: this.service,
      method: 'GET',
      path: `/orders/${i}`,
      status_code: 200,
      latency_ms: 3 + (i % 40),
    }));
  }

  /** Posts one batch of 25; returns its ids when the ingester acknowledged it (2xx after fsync), else none. */
  async post(address: string, key: string, prefix: string): Promise<string[]> {
    const batch = this.batch(prefix, 25);
    try {
      const res = await fetch(`http://${address}/api/v1/facts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(10_000),
      });
      return res.status === 200 ? batch.map((f) => f.event_id) : [];
    } catch {
      return [];
    }
  }

  /** Three clients posting until `until` settles; every acknowledged id goes into `acked`. */
  async load(address: string, key: string, prefix: string, until: Promise<unknown>, acked: Set<string>) {
    let stop = false;
    void until.then(() => (stop = true));
    const client = async () => {
      while (!stop) for (const id of await this.post(address, key, prefix)) acked.add(id);
    };
    await Promise.all([client(), client(), client()]);
  }
}

/** Says what a cluster test waits for as it starts waiting (a long silent wait reads like a hang). */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 2_000,
): Promise<T> {
  process.stderr.write(`[${new Date().toISOString()}] waiting up to ${timeoutMs / 1000} s for ${what}\n`);
  return waitUntil(probe, { what, timeoutMs, intervalMs });
}

export async function expectAllStored(store: S3ObjectStore, acked: Set<string>, what: string) {
  let missing = acked.size;
  await waitFor(
    `${what}: every acknowledged fact in the raw layer (${acked.size})`,
    async () => {
      const stored = await storedEventIds(store);
      missing = [...acked].filter((id) => !stored.has(id)).length;
      return missing === 0;
    },
    300_000,
    3_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; ${missing} of ${acked.size} missing`);
  });
}
