import { startKubeApiserver, type KubeApiserver } from '../../testbin/harness/kube-apiserver.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { buildPipelineCrd } from '../../crds/gravix-pipeline-crd.js';
import { buildTenantCrd } from '../../crds/gravix-tenant-crd.js';
import { KubeClient } from '../adapters/kube-client.js';
import { loadKubeconfigFile } from '../adapters/kube-connection.js';
import { monitoringCrds } from './monitoring-crds.js';

export interface KubeTestEnv {
  apiserver: KubeApiserver;
  client: KubeClient;
  stop(): Promise<void>;
}

// CRDs are installed by tests and the chart, never by the operator, so they are not in its kind registry.
const crdPath = (name: string) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;

/** Applies a CRD exactly as written and waits until the apiserver serves it. */
export async function installCrd(client: KubeClient, crd: { metadata: { name: string } }): Promise<void> {
  await client.apply(crdPath(crd.metadata.name), crd, 'gravix-tests');
  await waitUntil(
    async () => {
      const got = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>({
        method: 'GET',
        path: crdPath(crd.metadata.name),
      });
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    { what: `CRD ${crd.metadata.name} Established`, timeoutMs: 30_000 },
  );
}

/**
 * A real apiserver with the GravixPipeline and GravixTenant CRDs (the operator watches both, as the chart installs
 * both) and optionally the Prometheus operator CRDs installed.
 */
export async function startKubeTestEnv(
  /** `tenants: false` leaves the GravixTenant CRD out (a cluster where it is installed later, or never). */
  options: { prometheusOperator?: boolean; tenants?: boolean } = {},
): Promise<KubeTestEnv> {
  const apiserver = await startKubeApiserver();
  const client = new KubeClient(loadKubeconfigFile(apiserver.kubeconfigPath));
  await installCrd(client, buildPipelineCrd() as { metadata: { name: string } });
  if (options.tenants !== false) await installCrd(client, buildTenantCrd() as { metadata: { name: string } });
  if (options.prometheusOperator) for (const crd of monitoringCrds) await installCrd(client, crd);
  return {
    apiserver,
    client,
    stop: async () => {
      client.close();
      await apiserver.stop();
    },
  };
}
