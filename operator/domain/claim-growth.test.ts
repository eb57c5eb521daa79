import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { planApplyOrder } from './apply-order.js';
import {
  claimGrowth,
  claimTemplateGrowth,
  describeGrowthRefusals,
  expansionRefusal,
  keepLiveClaimTemplates,
  parseStorageBytes,
} from './claim-growth.js';
import { recreateReason } from './immutable-fields.js';

// A fixed Secret generator: the pods carry a hash of the generated Secrets, which must not differ between calls.
const minio = (size: string) =>
  synthPipeline(makePipeline({ storage: { minio: { size } } }), { generate: () => 'fixed' }).find(
    (m) => m.kind === 'StatefulSet' && m.metadata.name === 'shop-minio',
  )!;
const claim = (name: string, storage: string, phase = 'Bound', storageClassName?: string) => ({
  metadata: { name },
  spec: { resources: { requests: { storage } }, ...(storageClassName && { storageClassName }) },
  status: { phase },
});
const ingest = (walSize: string) =>
  synthPipeline(makePipeline({ ingestion: { wal: { size: walSize } } }), { generate: () => 'fixed' }).find(
    (m) => m.kind === 'StatefulSet' && m.metadata.name === 'shop-ingest',
  )!;

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

  it('names the claim’s StorageClass, which is read before the claim is grown', () => {
    expect(claimGrowth(minio('30Gi'), [claim('data-shop-minio-0', '20Gi', 'Bound', 'fast')])).toEqual([
      { name: 'data-shop-minio-0', storage: '30Gi', from: '20Gi', storageClassName: 'fast' },
    ]);
  });

  it('does not ask the apiserver to grow a claim whose StorageClass refuses expansion or is gone', () => {
    const grow = { name: 'data-shop-minio-0', storage: '30Gi', from: '20Gi', storageClassName: 'fixed' };
    expect(expansionRefusal(grow, { readable: true, exists: true, allowVolumeExpansion: false })).toBe(
      'its StorageClass fixed does not allow volume expansion (allowVolumeExpansion is not true)',
    );
    expect(expansionRefusal(grow, { readable: true, exists: false, allowVolumeExpansion: false })).toBe(
      'its StorageClass fixed does not exist, so it cannot be expanded',
    );
    expect(expansionRefusal(grow, { readable: true, exists: true, allowVolumeExpansion: true })).toBe(
      undefined,
    );
    // Not readable (namespaced RBAC): the growth is tried and the apiserver's refusal, if any, is reported.
    expect(expansionRefusal(grow, { readable: false })).toBe(undefined);
  });

  it('recreates a StatefulSet whose claim template grew (MinIO size, ingest WAL size), never for a shrink or another change', () => {
    expect(claimTemplateGrowth(minio('30Gi'), minio('20Gi'))).toEqual(['data 20Gi -> 30Gi']);
    expect(recreateReason(minio('30Gi'), minio('20Gi'))).toBe('spec.volumeClaimTemplates data 20Gi -> 30Gi');
    expect(recreateReason(ingest('8Gi'), ingest('4Gi'))).toBe('spec.volumeClaimTemplates data 4Gi -> 8Gi');
    // 20Gi written as bytes is the same size.
    const sameInBytes = minio('21474836480');
    expect(recreateReason(sameInBytes, minio('20Gi'))).toBe(undefined);
    expect(recreateReason(minio('10Gi'), minio('20Gi'))).toBe(undefined);
    expect(recreateReason(minio('30Gi'), undefined)).toBe(undefined);
    const otherVersion = synthPipeline(
      makePipeline({ version: '9.9.9', storage: { minio: { size: '20Gi' } } }),
      {
        generate: () => 'fixed',
      },
    ).find((m) => m.metadata.name === 'shop-minio')!;
    expect(recreateReason(otherVersion, minio('20Gi'))).toBe(undefined);
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
