import { buildTenantSnapshot, type TenantSnapshot } from '../domain/tenant-snapshot.js';
import { TenantSnapshotCache } from './tenant-snapshot-cache.js';

/** A source whose version and snapshots the test sets, counting what the cache asks of it. */
function fakeStoreState() {
  const state = { version: 'v1', dayTiles: ['2026-11-20'], versionCalls: 0, loads: 0, failNext: false };
  const source = {
    version: async () => {
      state.versionCalls += 1;
      return state.version;
    },
    load: async (): Promise<TenantSnapshot> => {
      state.loads += 1;
      if (state.failNext) {
        state.failNext = false;
        throw new Error('listing failed');
      }
      return buildTenantSnapshot({ dayTiles: new Set(state.dayTiles) });
    },
  };
  return { state, source };
}

describe('TenantSnapshotCache', () => {
  it('serves one snapshot for maxAgeMs without asking the store again', async () => {
    const { state, source } = fakeStoreState();
    let now = 0;
    const cache = new TenantSnapshotCache(source, { maxAgeMs: 1000, now: () => now });
    const first = await cache.get('acme');
    now = 1000;
    expect(await cache.get('acme')).toBe(first);
    expect({ versionCalls: state.versionCalls, loads: state.loads }).toEqual({ versionCalls: 1, loads: 1 });
  });

  it('keeps the snapshot past maxAgeMs while the manifests are unchanged, and reloads once they change', async () => {
    const { state, source } = fakeStoreState();
    let now = 0;
    const cache = new TenantSnapshotCache(source, { maxAgeMs: 1000, now: () => now });
    const first = await cache.get('acme');
    now = 1001;
    expect(await cache.get('acme')).toBe(first);
    expect(state.loads).toBe(1);
    state.version = 'v2';
    state.dayTiles = ['2026-11-20', '2026-11-21'];
    now = 2003;
    expect([...(await cache.get('acme')).dayTiles]).toEqual(['2026-11-20', '2026-11-21']);
    expect({ versionCalls: state.versionCalls, loads: state.loads }).toEqual({ versionCalls: 3, loads: 2 });
  });

  it('keeps tenants apart', async () => {
    const { source } = fakeStoreState();
    const cache = new TenantSnapshotCache(source);
    const [a, b] = await Promise.all([cache.get('a'), cache.get('b')]);
    expect(a).not.toBe(b);
  });

  it('asks the store once for concurrent queries of one tenant', async () => {
    const { state, source } = fakeStoreState();
    const cache = new TenantSnapshotCache(source);
    const snapshots = await Promise.all([cache.get('acme'), cache.get('acme'), cache.get('acme')]);
    expect(new Set(snapshots).size).toBe(1);
    expect({ versionCalls: state.versionCalls, loads: state.loads }).toEqual({ versionCalls: 1, loads: 1 });
  });

  it('does not keep a failed load: the next query loads again', async () => {
    const { state, source } = fakeStoreState();
    const cache = new TenantSnapshotCache(source);
    state.failNext = true;
    await expect(cache.get('acme')).rejects.toThrow('listing failed');
    expect([...(await cache.get('acme')).dayTiles]).toEqual(['2026-11-20']);
    expect(state.loads).toBe(2);
  });
});
