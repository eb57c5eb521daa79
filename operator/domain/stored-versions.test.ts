import { staleStoredVersions, storageVersion, storageVersionHash } from './stored-versions.js';

const crd = (storedVersions: string[]) => ({
  spec: {
    group: 'gravix.dev',
    names: { kind: 'GravixPipeline' },
    versions: [
      { name: 'v1beta1', storage: true },
      { name: 'v1alpha1', storage: false },
    ],
  },
  status: { storedVersions },
});

describe('stored versions', () => {
  it('names the storage version', () => {
    expect(storageVersion(crd([]))).toBe('v1beta1');
    expect(storageVersion({ spec: { versions: [{ name: 'v1' }] } })).toBeUndefined();
  });

  it('lists every stored version but the storage version as stale', () => {
    expect(staleStoredVersions(crd(['v1alpha1', 'v1beta1']))).toEqual(['v1alpha1']);
    expect(staleStoredVersions(crd(['v1beta1']))).toEqual([]);
    expect(staleStoredVersions({})).toEqual([]);
  });

  it("computes apimachinery's storage version hash (the value discovery shows for apps/v1 Deployment)", () => {
    // kubectl get --raw /apis/apps/v1 shows storageVersionHash "8aSe+NMegvE=" for deployments.
    expect(storageVersionHash('apps', 'v1', 'Deployment')).toBe('8aSe+NMegvE=');
  });
});
