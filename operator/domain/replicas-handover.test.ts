import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { needsLiveObject, planReplicasHandover } from './replicas-handover.js';

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
});
