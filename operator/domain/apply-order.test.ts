import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { planApplyOrder } from './apply-order.js';

describe('planApplyOrder', () => {
  const tiers = planApplyOrder(
    synthPipeline(makePipeline({ alerts: { enabled: true } }), { generate: () => 'x' }),
  );
  const tierOf = (kind: string, name: string) =>
    tiers.findIndex((t) => t.some((m) => m.kind === kind && m.metadata.name === name));

  it('applies the alert worker’s Role before its RoleBinding, and both before its Deployment', () => {
    const role = tierOf('Role', 'shop-alert');
    const binding = tierOf('RoleBinding', 'shop-alert');
    const deployment = tierOf('Deployment', 'shop-alert');
    expect(role).toBeLessThan(binding);
    expect(binding).toBeLessThan(deployment);
    expect(tierOf('ServiceAccount', 'shop-alert')).toBeLessThan(deployment);
  });

  it('applies MinIO before the storage Job, and the storage Job before the workloads', () => {
    const job = tiers.findIndex((t) => t.some((m) => m.metadata.name.startsWith('shop-storage-setup-')));
    expect(tierOf('StatefulSet', 'shop-minio')).toBeLessThan(job);
    expect(job).toBeLessThan(tierOf('Deployment', 'shop-query'));
  });
});
