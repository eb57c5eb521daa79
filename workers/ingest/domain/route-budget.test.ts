import { overflowRoute } from '../../domain/request-vocabulary.js';
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
