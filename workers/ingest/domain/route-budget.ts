import { overflowRoute } from '../../domain/request-vocabulary.js';

/**
 * Caps distinct route templates per (tenant, service) so one misbehaving
 * client cannot explode metric cardinality. Known routes keep working; new
 * ones past the budget fold into overflowRoute. In-memory per ingester: after a
 * restart the budget refills in first-seen order, which can differ between
 * ingesters; the overflow route makes that visible rather than silent.
 */
export class RouteBudget {
  /** tenant -> service -> admitted routes (nested maps: no key string built per fact). */
  private readonly routes = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly maxRoutesPerService: number) {}

  admit(tenant: string, service: string, route: string): string {
    let services = this.routes.get(tenant);
    if (!services) {
      services = new Map();
      this.routes.set(tenant, services);
    }
    let known = services.get(service);
    if (!known) {
      known = new Set();
      services.set(service, known);
    }
    if (known.has(route)) return route;
    if (known.size >= this.maxRoutesPerService) return overflowRoute;
    known.add(route);
    return route;
  }
}
