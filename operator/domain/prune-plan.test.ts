import { planPrune } from './prune-plan.js';

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
