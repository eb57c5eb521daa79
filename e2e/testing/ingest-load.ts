import { kubectl } from '../../testbin/harness/cluster.js';
import { FactSender } from './acked-facts.js';

export async function serviceClusterIp(namespace: string, name: string): Promise<string> {
  return (
    await kubectl(['-n', namespace, 'get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}'])
  ).trim();
}

/**
 * Two clients posting batches of 25 facts of `service` to an ingest address until `stop()`, pausing after a
 * refused or failed post (the ingest pod is being replaced) rather than spinning; every acknowledged id goes into
 * `acked`. `post()` sends one more batch and says how many were acknowledged.
 */
export function ingestLoad(address: string, key: string, service: string, acked: Set<string>) {
  const sender = new FactSender(service);
  let stopped = false;
  let attempts = 0;
  const loop = async () => {
    while (!stopped) {
      attempts += 1;
      const ids = await sender.post(address, key, 'load');
      for (const id of ids) acked.add(id);
      await new Promise((r) => setTimeout(r, ids.length > 0 ? 100 : 1_000));
    }
  };
  const running = Promise.all([loop(), loop()]);
  return {
    /** Stops both clients; how many posts they made. */
    stop: async () => {
      stopped = true;
      await running;
      return attempts;
    },
    post: async () => {
      const ids = await sender.post(address, key, 'after-load');
      for (const id of ids) acked.add(id);
      return ids.length;
    },
  };
}
