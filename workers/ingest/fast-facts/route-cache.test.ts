import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
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

describe('RouteCache past the services budget', () => {
  /** The service and route the cache answers for a plain fact of tenant t. */
  function answer(cache: RouteCache, service: string, path: string): [string, string] {
    const b = Buffer.from(`${service}${path}`, 'latin1');
    const r = cache.admit('t', b, 0, service.length, service.length, b.length);
    const text = (json: Uint8Array) => JSON.parse(Buffer.from(json).toString()) as string;
    return [text(r.serviceJson), text(r.routeJson)];
  }

  it('answers new names of a tenant past its budget as the budget does, counting each fold once', () => {
    const budget = new RouteBudget(10, { servicesPerTenant: 2 });
    const cache = new RouteCache(budget);
    const answers = [
      answer(cache, 'a', '/x/1'),
      answer(cache, 'b', '/y'),
      ...Array.from({ length: 50 }, (_, i) => answer(cache, `new-${i}`, `/items/${i % 3}`)),
      answer(cache, 'new-7', '/items/1'),
      answer(cache, 'a', '/x/2'),
    ];
    expect(answers.slice(0, 2)).toEqual([
      ['a', '/x/:id'],
      ['b', '/y'],
    ]);
    for (const folded of answers.slice(2, 53)) expect(folded).toEqual([overflowService, '/items/:id']);
    expect(answers[53]).toEqual(['a', '/x/:id']);
    const report = budget.report('t');
    expect(report.folded).toEqual({ serviceFacts: 51, routeFacts: 0 });
    expect(report.services).toBe(3);
  });

  it('counts a route folded under the overflow service again on every repeat, as the budget would', () => {
    const budget = new RouteBudget(1, { servicesPerTenant: 1 });
    const cache = new RouteCache(budget);
    const answers = [
      answer(cache, 'a', '/x'),
      answer(cache, 'b', '/first'),
      answer(cache, 'c', '/second'),
      answer(cache, 'd', '/second'),
      answer(cache, 'a', '/other'),
      answer(cache, 'a', '/other'),
    ];
    expect(answers).toEqual([
      ['a', '/x'],
      [overflowService, '/first'],
      [overflowService, overflowRoute],
      [overflowService, overflowRoute],
      ['a', overflowRoute],
      ['a', overflowRoute],
    ]);
    expect(budget.report('t').folded).toEqual({ serviceFacts: 3, routeFacts: 4 });
  });
});
