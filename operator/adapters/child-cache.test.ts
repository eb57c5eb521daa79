import { TENANT_AUTHORS_FILE } from '../../cdk8s/tenant-authors-file.js';
import { registeredKind } from '../domain/kind-registry.js';
import { planReplicasHandover } from '../domain/replicas-handover.js';
import { ChildCache, trimForCache } from './child-cache.js';

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** A workload as the apiserver returns it after a server-side apply: managedFields mirror the whole spec. */
function liveDeployment(replicasOwner: string) {
  return {
    ...DEPLOYMENT,
    metadata: {
      name: 'shop-query',
      namespace: 'default',
      resourceVersion: '7',
      managedFields: [
        {
          manager: replicasOwner,
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          time: '2026-12-03T08:00:00Z',
          fieldsV1: {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': {} } } },
          },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          subresource: 'status',
          fieldsV1: { 'f:status': { 'f:replicas': {} } },
        },
      ],
    },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'query' }] } } },
  };
}

describe('the child cache', () => {
  it('keeps of managedFields only each manager, its operation and whether it owns spec.replicas', () => {
    expect(trimForCache(liveDeployment('gravix-operator')).metadata?.['managedFields']).toEqual([
      { manager: 'gravix-operator', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'kube-controller-manager', operation: 'Update' },
    ]);
    const bare = { ...DEPLOYMENT, metadata: { name: 'x' }, spec: {} };
    expect(trimForCache(bare)).toBe(bare);
  });

  it('still lets the replicas hand-over see who owns spec.replicas, through a cached object', () => {
    const cache = new ChildCache();
    cache.replace(DEPLOYMENT, [liveDeployment('gravix-operator')]);
    const cached = cache.get(DEPLOYMENT, 'default', 'shop-query');
    expect(cached?.spec).toEqual(liveDeployment('gravix-operator').spec);
    // Autoscaled now: the desired Deployment has no replicas, so the live value is handed over first.
    const desired = { ...DEPLOYMENT, metadata: { name: 'shop-query', namespace: 'default' }, spec: {} };
    expect(planReplicasHandover(desired, cached, 'gravix-operator')).toEqual({
      ...DEPLOYMENT,
      metadata: { name: 'shop-query', namespace: 'default' },
      spec: { replicas: 3 },
    });
    cache.replace(DEPLOYMENT, [liveDeployment('someone-else')]);
    const other = cache.get(DEPLOYMENT, 'default', 'shop-query');
    expect(planReplicasHandover(desired, other, 'gravix-operator')).toBeUndefined();
  });

  it('keeps of each kind only what a pass reads: no pod templates, no Service or policy specs, no config data', () => {
    const cache = new ChildCache();
    const deployment = registeredKind('apps/v1', 'Deployment');
    cache.replace(deployment, [{ ...liveDeployment('gravix-operator'), status: { readyReplicas: 3 } }]);
    const workload = cache.get(deployment, 'default', 'shop-query');
    // Replicas (the hand-over), status (readiness) and who owns replicas stay; the pod template goes.
    expect(workload?.['spec']).toEqual({ replicas: 3 });
    expect(workload?.['status']).toEqual({ readyReplicas: 3 });
    expect(workload?.metadata?.['resourceVersion']).toBe('7');

    const service = registeredKind('v1', 'Service');
    const labels = { 'gravix.dev/pipeline': 'shop' };
    cache.replace(service, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'shop-query', namespace: 'default', labels },
        spec: { ports: [{ port: 80 }] },
      },
    ]);
    // Pruning and drift need the name, labels, owners and resourceVersion only.
    expect(cache.list(service, 'default', 'gravix.dev/pipeline=shop')).toEqual([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-query', namespace: 'default', labels } },
    ]);

    const configMap = registeredKind('v1', 'ConfigMap');
    const data = { [TENANT_AUTHORS_FILE]: '{"tenants":{}}', 'tenants.yaml': 'tenants: []' };
    cache.replace(configMap, [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-tenants', namespace: 'default' }, data },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shop-trino', namespace: 'default' },
        data: { 'config.properties': 'x' },
      },
    ]);
    // The tenants ConfigMap's two files: authors for tombstones, tenants for last valid settings (docs/adr/0121).
    expect(cache.get(configMap, 'default', 'shop-tenants')?.['data']).toEqual(data);
    expect(cache.get(configMap, 'default', 'shop-trino')?.['data']).toBeUndefined();
  });
});
