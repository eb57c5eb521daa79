import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
import type { ReplicaBeat } from '../../domain/quota-replicas.js';
import { RouteBudget } from './route-budget.js';
import { SharedCardinality } from './shared-cardinality.js';

const now = 1_700_000_000_000;
const quotas = { services: 4, routesPerService: 2 };
const beat = (replica: string): ReplicaBeat => ({
  replica,
  at: now,
  leaving: false,
  day: '2023-11-14',
  tenants: {},
});

/** Two replicas of one tenant's budget, exchanging names and beats as the ingest servers do through the store. */
function replicas() {
  const make = (self: string) => {
    const shares = new SharedCardinality({ self, quotasOf: () => quotas, staleMs: 10_000, now: () => now });
    shares.observeBeats([beat('a'), beat('b')]);
    return { self, shares, budget: new RouteBudget(500, {}, () => quotas, shares) };
  };
  const [a, b] = [make('a'), make('b')];
  const exchange = () => {
    const docs = [a, b].map((r) => ({
      replica: r.self,
      tenant: 't',
      at: now,
      services: r.budget.names('t'),
    }));
    for (const r of [a, b]) r.shares.observeNames(docs);
  };
  return { a, b, exchange };
}

describe('services and routes per service shared by ingest replicas', () => {
  it('gives each of two replicas half of the services quota for names nobody announced', () => {
    const { a, b } = replicas();
    expect(['s1', 's2', 's3'].map((s) => a.budget.admitService('t', s))).toEqual([
      's1',
      's2',
      overflowService,
    ]);
    expect(['s4', 's5', 's6'].map((s) => b.budget.admitService('t', s))).toEqual([
      's4',
      's5',
      overflowService,
    ]);
  });

  it('admits a name another replica announced without spending a slot', () => {
    const { a, b, exchange } = replicas();
    a.budget.admitService('t', 's1');
    a.budget.admitService('t', 's2');
    exchange();
    expect(['s1', 's2', 's3', 's4', 's5'].map((s) => b.budget.admitService('t', s))).toEqual([
      's1',
      's2',
      's3',
      's4',
      overflowService,
    ]);
    expect(b.budget.names('t')['s1']).toEqual({ own: false, routes: [], ownRoutes: 0 });
    expect(b.budget.names('t')['s3']).toEqual({ own: true, routes: [], ownRoutes: 0 });
  });

  it('shares each service’s routes quota the same way, a route announced elsewhere free', () => {
    const { a, b, exchange } = replicas();
    expect(a.budget.admit('t', 'api', '/x')).toBe('/x');
    expect(a.budget.admit('t', 'api', '/y')).toBe(overflowRoute);
    exchange();
    expect(['/x', '/z', '/w'].map((r) => b.budget.admit('t', 'api', r))).toEqual(['/x', '/z', overflowRoute]);
  });

  it('takes a gone replica’s unused share once its beat is stale, never the names it owns', () => {
    const { a, b, exchange } = replicas();
    b.budget.admitService('t', 'b1');
    exchange();
    a.shares.observeBeats([{ ...beat('b'), leaving: true }]);
    expect(['s1', 's2', 's3', 's4'].map((s) => a.budget.admitService('t', s))).toEqual([
      's1',
      's2',
      's3',
      overflowService,
    ]);
  });

  it('resumes its own names after a restart, keeping their slots', () => {
    const { a } = replicas();
    a.budget.admitService('t', 's1');
    a.budget.admit('t', 's1', '/p');
    const restarted = new RouteBudget(500, {}, () => quotas, a.shares);
    restarted.resume('t', a.budget.names('t'));
    expect(restarted.admitService('t', 's1')).toBe('s1');
    expect(restarted.admitService('t', 's2')).toBe('s2');
    expect(restarted.admitService('t', 's3')).toBe(overflowService);
    expect(restarted.report('t')).toMatchObject({ services: 3, routes: 1 });
  });
});
