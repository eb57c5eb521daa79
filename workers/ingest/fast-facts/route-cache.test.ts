import { overflowService } from '../../domain/request-vocabulary.js';
import { RouteBudget } from '../domain/route-budget.js';
import { RouteCache } from './route-cache.js';

/** The service the cache answers for `service` + path `/` of tenant t, as text. */
function admitted(cache: RouteCache, service: string): string {
  const b = Buffer.from(`${service}/`, 'latin1');
  return JSON.parse(
    Buffer.from(cache.admit('t', b, 0, service.length, service.length, b.length).serviceJson).toString(),
  ) as string;
}

describe('RouteCache', () => {
  it('answers a refused name again from the budget once the tenant quota was raised, not from its cached refusal', () => {
    let quotas = { services: 1 };
    const budget = new RouteBudget(10, {}, () => quotas);
    const cache = new RouteCache(budget);
    expect([admitted(cache, 'a'), admitted(cache, 'b'), admitted(cache, 'b')]).toEqual([
      'a',
      overflowService,
      overflowService,
    ]);
    expect(budget.report('t').folded.serviceFacts).toBe(2);

    quotas = { services: 2 };
    budget.refreshBudgets();
    expect([admitted(cache, 'b'), admitted(cache, 'a'), admitted(cache, 'c')]).toEqual([
      'b',
      'a',
      overflowService,
    ]);
  });
});
