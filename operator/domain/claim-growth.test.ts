import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { planApplyOrder } from './apply-order.js';
import {
  claimGrowth,
  describeGrowthRefusals,
  keepLiveClaimTemplates,
  parseStorageBytes,
} from './claim-growth.js';

// A fixed Secret generator: the pods carry a hash of the generated Secrets, which must not differ between calls.
const minio = (size: string) =>
  synthPipeline(makePipeline({ storage: { minio: { size } } }), { generate: () => 'fixed' }).find(
    (m) => m.kind === 'StatefulSet' && m.metadata.name === 'shop-minio',
  )!;
const claim = (name: string, storage: string, phase = 'Bound') => ({
  metadata: { name },
  spec: { resources: { requests: { storage } } },
  status: { phase },
});

describe('MinIO claim growth', () => {
  it('reads binary, decimal and exponent storage quantities as bytes', () => {
    expect(parseStorageBytes('20Gi')).toBe(20 * 2 ** 30);
    expect(parseStorageBytes('500M')).toBe(500e6);
    expect(parseStorageBytes('1e9')).toBe(1e9);
    expect(parseStorageBytes('lots')).toBeUndefined();
  });

  it('keeps the live claim templates, which the apiserver never lets change', () => {
    const kept = keepLiveClaimTemplates(minio('30Gi'), { spec: minio('20Gi').spec });
    expect(kept.spec).toEqual({
      ...(minio('30Gi').spec as object),
      volumeClaimTemplates: (minio('20Gi').spec as { volumeClaimTemplates: unknown }).volumeClaimTemplates,
    });
    expect(keepLiveClaimTemplates(minio('30Gi'), undefined)).toEqual(minio('30Gi'));
  });

  it('grows only the StatefulSet’s own claims that are smaller than asked, never shrinks', () => {
    const claims = [
      claim('data-shop-minio-0', '20Gi'),
      claim('data-shop-minio-extra', '1Gi'),
      claim('data-other-minio-0', '1Gi'),
    ];
    expect(claimGrowth(minio('30Gi'), claims)).toEqual([
      { name: 'data-shop-minio-0', storage: '30Gi', from: '20Gi' },
    ]);
    expect(claimGrowth(minio('10Gi'), claims)).toEqual([]);
  });

  it('leaves a claim that is not bound yet (the apiserver refuses its resize) for a later pass', () => {
    expect(claimGrowth(minio('30Gi'), [claim('data-shop-minio-0', '20Gi', 'Pending')])).toEqual([]);
  });

  it('says which claim stays at which size, what the spec asks and why', () => {
    const why =
      'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';
    expect(
      describeGrowthRefusals([
        { name: 'data-shop-minio-0', from: '20Gi', storage: '30Gi', message: why },
        { name: 'wal-shop-ingest-1', from: '4Gi', storage: '8Gi', message: why },
      ]),
    ).toBe(
      `PersistentVolumeClaim data-shop-minio-0 stays at 20Gi (the spec asks 30Gi): ${why}; ` +
        `PersistentVolumeClaim wal-shop-ingest-1 stays at 4Gi (the spec asks 8Gi): ${why}`,
    );
  });

  it('applies config and Services, then MinIO, then the storage Job, then workloads, then what points at them', () => {
    const tiers = planApplyOrder(synthPipeline(makePipeline())).map((t) => [
      ...new Set(t.map((m) => m.kind)),
    ]);
    expect(tiers[0]).toEqual(expect.arrayContaining(['ConfigMap', 'Service', 'NetworkPolicy']));
    expect(tiers.slice(1, 3)).toEqual([['StatefulSet'], ['Job']]);
    expect(tiers[3]).toEqual(expect.arrayContaining(['Deployment', 'StatefulSet']));
    expect(tiers[4]).toEqual(expect.arrayContaining(['HorizontalPodAutoscaler', 'PodDisruptionBudget']));
  });
});
