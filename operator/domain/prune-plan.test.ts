import { holdUntilReplaced, planPrune } from './prune-plan.js';

const child = (kind: string, name: string, uid = 'u1') => ({
  kind,
  metadata: { name, ownerReferences: [{ uid, controller: true }] },
});

describe('planPrune', () => {
  it('deletes only children not applied this pass', () => {
    const existing = [child('Deployment', 'shop-cube'), child('Deployment', 'shop-ingest')];
    expect(planPrune(existing, new Set(['Deployment/shop-ingest']), 'u1')).toEqual([
      child('Deployment', 'shop-cube'),
    ]);
  });

  it('never deletes an object controlled by another pipeline uid, even with our labels', () => {
    expect(planPrune([child('Deployment', 'shop-cube', 'other')], new Set(), 'u1')).toEqual([]);
  });
});

describe('holdUntilReplaced', () => {
  const statefulSet = (ready: boolean) => ({ ...child('StatefulSet', 'shop-ingest'), ready });

  it('keeps the old ingest Deployment while the StatefulSet that replaces it is not ready', () => {
    const stale = [child('Deployment', 'shop-ingest'), child('Deployment', 'shop-cube')];
    expect(holdUntilReplaced(stale, [statefulSet(false)])).toEqual([child('Deployment', 'shop-cube')]);
  });

  it('lets it go once the StatefulSet is ready', () => {
    const stale = [child('Deployment', 'shop-ingest')];
    expect(holdUntilReplaced(stale, [statefulSet(true)])).toEqual(stale);
  });

  it('holds only workloads: a same-named stale Service or PDB is pruned as usual', () => {
    const stale = [child('PodDisruptionBudget', 'shop-ingest')];
    expect(holdUntilReplaced(stale, [statefulSet(false)])).toEqual(stale);
  });
});
