import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { needsLiveObject, planReplicasHandover, withOrphanedReplicas } from './replicas-handover.js';

const ingest = (autoscaling: boolean) =>
  synthPipeline(makePipeline({ ingestion: { autoscaling: { enabled: autoscaling } } })).find(
    (m) => m.kind === 'StatefulSet' && m.metadata.name === 'shop-ingest',
  )!;
const live = (manager: string) => ({
  spec: { replicas: 3 },
  metadata: {
    managedFields: [{ manager, operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
  },
});

describe('replicas hand-over to the HPA', () => {
  it('makes a second manager co-own the live replicas when the operator stops setting them', () => {
    expect(planReplicasHandover(ingest(true), live('gravix-operator'), 'gravix-operator')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'shop-ingest', namespace: 'default' },
      spec: { replicas: 3 },
    });
  });

  it('does nothing once the operator no longer owns replicas, or when it still sets them', () => {
    expect(planReplicasHandover(ingest(true), live('horizontal-pod-autoscaler'), 'gravix-operator')).toBe(
      undefined,
    );
    expect(planReplicasHandover(ingest(false), live('gravix-operator'), 'gravix-operator')).toBe(undefined);
    expect(planReplicasHandover(ingest(true), undefined, 'gravix-operator')).toBe(undefined);
  });

  it('reads the live object only for StatefulSets and workloads without replicas', () => {
    expect(needsLiveObject(ingest(true))).toBe(true);
    const query = synthPipeline(makePipeline()).find((m) => m.metadata.name === 'shop-query')!;
    expect(needsLiveObject(query)).toBe(false);
  });

  it('creates a recreated StatefulSet at as many replicas as its orphaned pods when an HPA holds them', () => {
    const pod = (name: string, deleting = false) => ({
      metadata: { name, ...(deleting && { deletionTimestamp: '2026-12-03T12:00:00Z' }) },
    });
    const pods = [
      pod('shop-ingest-0'),
      pod('shop-ingest-2'),
      pod('shop-ingest-rescue-4'),
      pod('shop-query-1'),
    ];
    expect((withOrphanedReplicas(ingest(true), pods).spec as { replicas?: number }).replicas).toBe(3);
    // A terminating pod is not adopted; no pod of its own: created as synthesized.
    expect(
      (
        withOrphanedReplicas(ingest(true), [pod('shop-ingest-0'), pod('shop-ingest-1', true)]).spec as {
          replicas?: number;
        }
      ).replicas,
    ).toBe(1);
    const autoscaled = ingest(true);
    expect(withOrphanedReplicas(autoscaled, [pod('shop-query-0')])).toBe(autoscaled);
    // Replicas the operator sets itself are kept as they are.
    const fixed = ingest(false);
    expect(withOrphanedReplicas(fixed, pods)).toBe(fixed);
  });
});
