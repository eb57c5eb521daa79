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
});
