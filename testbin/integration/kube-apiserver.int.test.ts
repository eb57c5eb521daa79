import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startKubeApiserver, type KubeApiserver } from '../harness/kube-apiserver.js';
import { waitUntil } from '../harness/wait-until.js';

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.gravix.dev' },
  spec: {
    group: 'test.gravix.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                // client-node serialises typed models by its own property names (x_kubernetes_validations);
                // a raw 'x-kubernetes-validations' key would be silently dropped.
                x_kubernetes_validations: [
                  { rule: 'self.min <= self.max', message: 'min must not exceed max' },
                ],
              },
            },
          },
        },
      },
    ],
  },
};

describe('kube-apiserver from the testbin', () => {
  let apiserver: KubeApiserver;

  beforeAll(async () => {
    apiserver = await startKubeApiserver();
    const kc = apiserver.kubeConfig();
    const crds = kc.makeApiClient(ApiextensionsV1Api);
    await crds.createCustomResourceDefinition({ body: widgetCrd });
    await waitUntil(
      async () => {
        const crd = await crds.readCustomResourceDefinition({ name: widgetCrd.metadata.name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { what: 'CRD Established', timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await apiserver?.stop();
  });

  const createWidget = (name: string, spec: { min: number; max: number }) =>
    apiserver
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({
        group: 'test.gravix.dev',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: { apiVersion: 'test.gravix.dev/v1', kind: 'Widget', metadata: { name }, spec },
      });

  it('accepts a custom object that satisfies the CRD CEL rule', async () => {
    const created = (await createWidget('ok', { min: 1, max: 2 })) as { metadata: { uid: string } };
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a custom object that breaks the CRD CEL rule with the rule message', async () => {
    await expect(createWidget('bad', { min: 3, max: 2 })).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining('min must not exceed max'),
    });
  });
});
