import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { KubeObject, RawKubeClient } from './raw-kube-client.js';

interface CrdStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Creates CRDs exactly as given and waits until the apiserver serves each (Established). */
export async function installCrds(client: RawKubeClient, crds: KubeObject[]): Promise<void> {
  for (const crd of crds) await client.create(crd);
  for (const crd of crds) {
    await waitUntil(
      async () => {
        const { body } = await client.read(crd);
        return (body as CrdStatus).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
      },
      { what: `CRD ${crd.metadata.name} Established`, timeoutMs: 30_000 },
    );
  }
}
