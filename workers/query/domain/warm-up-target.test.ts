import { chooseWarmUpTarget } from './warm-up-target.js';

const at = (iso: string) => Date.parse(iso);

describe('chooseWarmUpTarget', () => {
  it('picks the tenant with the newest data, up to the end of its newest hour', () => {
    const freshness = new Map([
      ['acme', { lastCommitAt: at('2026-11-21T12:31:00Z'), newestEventAt: at('2026-11-21T12:29:59Z') }],
      ['globex', { lastCommitAt: at('2026-11-21T12:40:00Z'), newestEventAt: at('2026-11-20T08:00:00Z') }],
    ]);
    expect(chooseWarmUpTarget(freshness)).toEqual({ tenant: 'acme', to: at('2026-11-21T13:00:00Z') });
  });

  it('places a tenant whose manifests predate the newest event time by its commit time', () => {
    const freshness = new Map([
      ['acme', { lastCommitAt: at('2026-11-21T09:05:00Z'), newestEventAt: null }],
      ['globex', { lastCommitAt: at('2026-11-21T12:40:00Z'), newestEventAt: at('2026-11-21T08:59:00Z') }],
    ]);
    expect(chooseWarmUpTarget(freshness)).toEqual({ tenant: 'acme', to: at('2026-11-21T10:00:00Z') });
  });

  it('breaks a tie by tenant id, so replicas warm up alike', () => {
    const same = { lastCommitAt: at('2026-11-21T12:00:00Z'), newestEventAt: at('2026-11-21T11:00:00Z') };
    expect(
      chooseWarmUpTarget(
        new Map([
          ['b', same],
          ['a', same],
        ]),
      )?.tenant,
    ).toBe('a');
  });

  it('has no target when no tenant has committed data', () => {
    expect(chooseWarmUpTarget(new Map())).toBeUndefined();
  });
});
