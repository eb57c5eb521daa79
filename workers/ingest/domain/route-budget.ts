import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
import type { ReplicaNames } from '../../domain/cardinality-shares.js';
import { unsharedCardinality, type CardinalityShares } from './shared-cardinality.js';
import { TopCounts, type Count } from './top-counts.js';

export interface CardinalityLimits {
  /** Distinct services per tenant (the overflow service not counted). */
  servicesPerTenant: number;
  /** Distinct routes per tenant across its services: with servicesPerTenant, what bounds a tenant's memory. */
  routesPerTenant: number;
  /** Distinct (caller, callee) pairs of the service map per tenant (docs/adr/0085). */
  edgesPerTenant: number;
}

export const defaultCardinalityLimits: CardinalityLimits = {
  servicesPerTenant: 1000,
  routesPerTenant: 20_000,
  edgesPerTenant: 10_000,
};

/** What one ingester's budgets hold and have folded for a tenant (GET /api/v1/cardinality). */
export interface CardinalityReport {
  tenant: string;
  budgets: { servicesPerTenant: number; routesPerService: number; routesPerTenant: number };
  services: number;
  routes: number;
  folded: { serviceFacts: number; routeFacts: number };
  topOffenders: {
    /** Refused service names by facts folded into the overflow service (approximate counts, may over-count). */
    refusedServices: Count[];
    /** Services whose routes overflowed, by facts folded into the overflow route. */
    overflowingServices: Count[];
  };
}

const topOffenders = 10;

interface ServiceState {
  routes: Set<string>;
  foldedFacts: number;
  /** Admitted here first (no other replica had announced it): holds one of the tenant's service slots. */
  own: boolean;
  /** Routes admitted here first: slots of the service's routes quota. */
  ownRoutes: number;
}

/** A tenant's own budgets (its GravixTenant quotas), where it has them. */
export type TenantBudgets = (tenant: string) => { services?: number; routesPerService?: number } | undefined;

interface TenantState {
  servicesPerTenant: number;
  routesPerService: number;
  services: Map<string, ServiceState>;
  routes: number;
  ownServices: number;
  foldedServiceFacts: number;
  foldedRouteFacts: number;
  refused: TopCounts;
  /** caller -> callees admitted as service-map edges, and how many pairs in all. */
  edges: Map<string, Set<string>>;
  edgeCount: number;
  foldedEdgeSpans: number;
}

/**
 * Caps the cardinality a tenant can create, so one misbehaving client cannot explode metric cardinality nor the
 * ingester's memory: distinct services per tenant, routes per service, and routes per tenant. Known services and
 * routes keep working; new ones past a budget fold into overflowService / overflowRoute, which the rolled-up data
 * and the UI show, and the fold is counted for the cardinality report. A tenant's memory is bounded by its
 * budgets (plus a fixed top-offenders table), whatever it sends. An admitted name stays admitted, and while the
 * budgets stay as they are a refused one stays refused (sets only grow, so once full they are full for good), which
 * is what lets the byte-level path cache answers (fast-facts/route-cache.ts, dropped when `epoch` moves: a tenant's
 * quotas changed in the tenants file). A tenant's services and routes-per-service
 * quotas hold across ingest replicas (`shares`, docs/adr/0090): a name another replica announced is admitted
 * without cost, a new one only within this replica's slots. Other budgets are per ingester and in memory: after a
 * restart they refill in first-seen order, which can differ between ingesters; the overflow names make that visible.
 */
export class RouteBudget {
  /** tenant -> service -> admitted routes (nested maps: no key string built per fact). */
  private readonly tenants = new Map<string, TenantState>();
  private readonly limits: CardinalityLimits;

  /** Bumped whenever a tenant's budgets change (refreshBudgets): caches of this budget's answers start over. */
  private budgetEpoch = 0;

  /**
   * `budgetsOf` gives a tenant its own service and route-per-service budgets (its quotas), read when the tenant is
   * first seen and again by refreshBudgets when the tenants file changed.
   */
  constructor(
    private readonly maxRoutesPerService: number,
    limits: Partial<CardinalityLimits> = {},
    private readonly budgetsOf: TenantBudgets = () => undefined,
    private readonly shares: CardinalityShares = unsharedCardinality,
  ) {
    this.limits = { ...defaultCardinalityLimits, ...limits };
  }

  private tenant(tenant: string): TenantState {
    let state = this.tenants.get(tenant);
    if (!state) {
      state = {
        ...this.budgetsFor(tenant, undefined),
        services: new Map(),
        routes: 0,
        ownServices: 0,
        foldedServiceFacts: 0,
        foldedRouteFacts: 0,
        refused: new TopCounts(topOffenders * 2),
        edges: new Map(),
        edgeCount: 0,
        foldedEdgeSpans: 0,
      };
      this.tenants.set(tenant, state);
    }
    return state;
  }

  /** Changes whenever a tenant's budgets change: an answer cached before may differ now. */
  get epoch(): number {
    // Both only grow: the sum moves whenever either does (a replica joining or leaving changes the shared limits).
    return this.budgetEpoch + this.shares.generation;
  }

  /**
   * Reads every seen tenant's budgets again (the tenants file changed). A raised quota admits new names from now
   * on; a lowered one stops new names and keeps those already admitted (facts of a known name never start folding
   * mid-stream). The epoch moves when any budget changed, so cached answers, refused ones included, are dropped.
   */
  refreshBudgets(): void {
    for (const [tenant, state] of this.tenants) {
      const now = this.budgetsFor(tenant, undefined);
      if (
        now.servicesPerTenant === state.servicesPerTenant &&
        now.routesPerService === state.routesPerService
      )
        continue;
      state.servicesPerTenant = now.servicesPerTenant;
      state.routesPerService = now.routesPerService;
      this.budgetEpoch++;
    }
  }

  /** The service a fact of `service` is kept under: itself, or overflowService past the tenant's budget. */
  admitService(tenant: string, service: string): string {
    const state = this.tenant(tenant);
    const { services } = state;
    if (services.has(service)) return service;
    // The overflow service is admitted on first use, outside the budget.
    const regular = services.size - (services.has(overflowService) ? 1 : 0);
    if (service === overflowService) {
      services.set(service, newService());
      return service;
    }
    if (regular < state.servicesPerTenant) {
      if (this.shares.knownService(tenant, service)) {
        services.set(service, newService());
        return service;
      }
      if (state.ownServices < this.shares.ownServiceLimit(tenant)) {
        services.set(service, { ...newService(), own: true });
        state.ownServices++;
        return service;
      }
    }
    if (!services.has(overflowService)) services.set(overflowService, newService());
    this.recordServiceFold(tenant, service);
    return overflowService;
  }

  /** The route a fact of an admitted service is kept under: itself, or overflowRoute past a budget. */
  admit(tenant: string, service: string, route: string): string {
    const state = this.tenant(tenant);
    let known = state.services.get(service);
    if (!known) {
      known = newService();
      state.services.set(service, known);
    }
    if (known.routes.has(route)) return route;
    const shared = this.shares.knownRoute(tenant, service, route);
    if (
      known.routes.size >= state.routesPerService ||
      state.routes >= this.limits.routesPerTenant ||
      (!shared && known.ownRoutes >= this.shares.ownRouteLimit(tenant, service))
    ) {
      this.recordRouteFold(tenant, service);
      return overflowRoute;
    }
    known.routes.add(route);
    if (!shared) known.ownRoutes++;
    state.routes++;
    return route;
  }

  /**
   * The callee a service-map edge of an admitted caller is kept under: itself, or overflowService once the tenant
   * holds edgesPerTenant distinct (caller, callee) pairs. Like the other budgets an answer never changes.
   */
  admitEdge(tenant: string, caller: string, callee: string): string {
    const state = this.tenant(tenant);
    let callees = state.edges.get(caller);
    if (callees?.has(callee)) return callee;
    if (state.edgeCount >= this.limits.edgesPerTenant && callee !== overflowService) {
      state.foldedEdgeSpans++;
      return overflowService;
    }
    if (callees === undefined) {
      callees = new Set();
      state.edges.set(caller, callees);
    }
    callees.add(callee);
    state.edgeCount++;
    return callee;
  }

  /** Spans whose callee folded into the overflow service (the ingest metric reads it). */
  foldedEdgeSpans(tenant: string): number {
    return this.tenants.get(tenant)?.foldedEdgeSpans ?? 0;
  }

  /** Tenants this ingester has seen. */
  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  /** What this replica announces of a tenant's names (docs/adr/0090): every admitted name, and which it owns. */
  names(tenant: string): ReplicaNames['services'] {
    const services: ReplicaNames['services'] = {};
    for (const [name, s] of this.tenants.get(tenant)?.services ?? [])
      services[name] = { own: s.own, routes: [...s.routes], ownRoutes: s.ownRoutes };
    return services;
  }

  /**
   * After a restart, the names this replica announced before (its own object in the store) are admitted again and
   * keep their slots, so a restart neither loses a tenant's names nor frees their slots for others.
   */
  resume(tenant: string, services: ReplicaNames['services']): void {
    const state = this.tenant(tenant);
    for (const [name, { own, routes, ownRoutes }] of Object.entries(services)) {
      if (state.services.has(name)) continue;
      state.services.set(name, { routes: new Set(routes), foldedFacts: 0, own, ownRoutes });
      state.routes += routes.length;
      if (own) state.ownServices++;
    }
  }

  /** Counts a fact folded into the overflow service (called again by caches that answer repeats themselves). */
  recordServiceFold(tenant: string, service: string): void {
    const state = this.tenant(tenant);
    state.foldedServiceFacts++;
    state.refused.add(service);
  }

  /** Counts a fact folded into the overflow route. */
  recordRouteFold(tenant: string, service: string): void {
    const state = this.tenant(tenant);
    state.foldedRouteFacts++;
    const known = state.services.get(service);
    if (known) known.foldedFacts++;
  }

  /** The tenant's budgets: those it was first seen with, or those it would be seen with now. */
  private budgetsFor(tenant: string, state: TenantState | undefined) {
    if (state)
      return { servicesPerTenant: state.servicesPerTenant, routesPerService: state.routesPerService };
    const own = this.budgetsOf(tenant);
    return {
      servicesPerTenant: own?.services ?? this.limits.servicesPerTenant,
      routesPerService: own?.routesPerService ?? this.maxRoutesPerService,
    };
  }

  report(tenant: string): CardinalityReport {
    const state = this.tenants.get(tenant);
    const services = state ? [...state.services] : [];
    return {
      tenant,
      budgets: { ...this.budgetsFor(tenant, state), routesPerTenant: this.limits.routesPerTenant },
      services: services.length,
      routes: state?.routes ?? 0,
      folded: { serviceFacts: state?.foldedServiceFacts ?? 0, routeFacts: state?.foldedRouteFacts ?? 0 },
      topOffenders: {
        refusedServices: state?.refused.top(topOffenders) ?? [],
        overflowingServices: services
          .filter(([, s]) => s.foldedFacts > 0)
          .map(([name, s]) => ({ name, count: s.foldedFacts }))
          .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
          .slice(0, topOffenders),
      },
    };
  }
}

const newService = (): ServiceState => ({ routes: new Set(), foldedFacts: 0, own: false, ownRoutes: 0 });
