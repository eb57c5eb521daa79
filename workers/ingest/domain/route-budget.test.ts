import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
import { RouteBudget } from './route-budget.js';

describe('RouteBudget', () => {
  it('folds routes past the per-service budget into the overflow route and keeps known ones', () => {
    const budget = new RouteBudget(2);
    expect(budget.admit('t', 'api', '/a')).toBe('/a');
    expect(budget.admit('t', 'api', '/b')).toBe('/b');
    expect(budget.admit('t', 'api', '/c')).toBe(overflowRoute);
    expect(budget.admit('t', 'api', '/a')).toBe('/a');
  });

  it('keeps a separate budget per tenant and service', () => {
    const budget = new RouteBudget(1);
    expect(budget.admit('t', 'api', '/a')).toBe('/a');
    expect(budget.admit('t', 'web', '/b')).toBe('/b');
    expect(budget.admit('u', 'api', '/c')).toBe('/c');
  });
});

describe('RouteBudget with quotas that change (the tenants file re-read)', () => {
  it('admits new names up to a raised quota and keeps admitted names under a lowered one', () => {
    let quotas = { services: 1, routesPerService: 1 };
    const budget = new RouteBudget(10, {}, () => quotas);
    expect(budget.admitService('t', 'a')).toBe('a');
    expect(budget.admitService('t', 'b')).toBe(overflowService);
    expect(budget.admit('t', 'a', '/x')).toBe('/x');
    expect(budget.admit('t', 'a', '/y')).toBe(overflowRoute);
    const before = budget.epoch;

    quotas = { services: 2, routesPerService: 2 };
    budget.refreshBudgets();
    expect(budget.epoch).not.toBe(before);
    expect(budget.admitService('t', 'b')).toBe('b');
    expect(budget.admit('t', 'a', '/y')).toBe('/y');
    expect(budget.report('t').budgets).toMatchObject({ servicesPerTenant: 2, routesPerService: 2 });

    quotas = { services: 1, routesPerService: 1 };
    budget.refreshBudgets();
    expect([budget.admitService('t', 'a'), budget.admitService('t', 'b')]).toEqual(['a', 'b']);
    expect(budget.admitService('t', 'c')).toBe(overflowService);
    expect([budget.admit('t', 'a', '/x'), budget.admit('t', 'a', '/y')]).toEqual(['/x', '/y']);
    expect(budget.admit('t', 'a', '/z')).toBe(overflowRoute);
  });

  it('keeps its epoch when a re-read changed no budget of a seen tenant', () => {
    let quotas: { services?: number } | undefined = { services: 3 };
    const budget = new RouteBudget(10, {}, (tenant) => (tenant === 't' ? quotas : undefined));
    budget.admitService('t', 'a');
    const before = budget.epoch;
    budget.refreshBudgets();
    quotas = { services: 3 };
    budget.refreshBudgets();
    expect(budget.epoch).toBe(before);
  });
});
