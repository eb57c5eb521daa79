import type { TenantQuotas } from '../../../crds/gravix-tenant-spec.js';
import { ownLimit, type ReplicaNames } from '../../domain/cardinality-shares.js';
import { liveReplicas, type ReplicaBeat } from '../../domain/quota-replicas.js';

/** What the route budget asks before it admits a name no replica announced yet (docs/adr/0090). */
export interface CardinalityShares {
  /** Another replica announced the service: admitting it here costs no slot. */
  knownService(tenant: string, service: string): boolean;
  /** How many services this replica may admit first; Infinity when the tenant has no services quota. */
  ownServiceLimit(tenant: string): number;
  knownRoute(tenant: string, service: string, route: string): boolean;
  /** How many routes of the service this replica may admit first; Infinity without a routesPerService quota. */
  ownRouteLimit(tenant: string, service: string): number;
  /**
   * Moves when the replicas or their views of each other change: a limit may differ from then on, so answers the
   * route budget cached (refusals included) must be dropped.
   */
  readonly generation: number;
}

/** Nothing shared: every replica on its own (no tenants file, unit tests). */
export const unsharedCardinality: CardinalityShares = {
  knownService: () => false,
  ownServiceLimit: () => Number.POSITIVE_INFINITY,
  knownRoute: () => false,
  ownRouteLimit: () => Number.POSITIVE_INFINITY,
  generation: 0,
};

interface TenantView {
  /** service -> routes, as the other replicas announced them. */
  names: Map<string, Set<string>>;
  /** replica -> services it owns. */
  ownedServices: Map<string, number>;
  /** service -> replica -> routes of it that replica owns. */
  ownedRoutes: Map<string, Map<string, number>>;
}

export interface SharedCardinalityOptions {
  self: string;
  quotasOf: (tenant: string) => TenantQuotas | undefined;
  staleMs: number;
  now?: () => number;
}

/**
 * The other ingest replicas' announced names (through the store) and who is alive (through the beats), turned into
 * the answers the route budget needs. No IO: workers/adapters/tenants/replica-names.ts feeds it.
 */
export class SharedCardinality implements CardinalityShares {
  private live: string[];
  /** Each other live replica's announced live set (docs/adr/0121). */
  private views = new Map<string, readonly string[]>();
  private membership = '';
  generation = 0;
  private tenants = new Map<string, TenantView>();
  private readonly now: () => number;

  constructor(private readonly options: SharedCardinalityOptions) {
    this.now = options.now ?? Date.now;
    this.live = [options.self];
  }

  observeBeats(beats: readonly ReplicaBeat[]): void {
    this.live = liveReplicas(beats, this.options.self, this.now(), this.options.staleMs);
    const views = new Map<string, readonly string[]>();
    for (const beat of beats)
      if (beat.sees && beat.replica !== this.options.self && this.live.includes(beat.replica))
        views.set(beat.replica, beat.sees);
    this.views = views;
    const membership = JSON.stringify([this.live, [...views].sort()]);
    if (membership !== this.membership) this.generation++;
    this.membership = membership;
  }

  /** Every other replica's latest announcement (this replica's own are skipped). */
  observeNames(announced: readonly ReplicaNames[]): void {
    const tenants = new Map<string, TenantView>();
    for (const doc of announced) {
      if (doc.replica === this.options.self) continue;
      let view = tenants.get(doc.tenant);
      if (!view) {
        view = { names: new Map(), ownedServices: new Map(), ownedRoutes: new Map() };
        tenants.set(doc.tenant, view);
      }
      let ownedServices = 0;
      for (const [service, { own, routes, ownRoutes }] of Object.entries(doc.services)) {
        if (own) ownedServices++;
        const known = view.names.get(service) ?? new Set<string>();
        for (const route of routes) known.add(route);
        view.names.set(service, known);
        const owners = view.ownedRoutes.get(service) ?? new Map<string, number>();
        owners.set(doc.replica, ownRoutes);
        view.ownedRoutes.set(service, owners);
      }
      view.ownedServices.set(doc.replica, ownedServices);
    }
    this.tenants = tenants;
  }

  knownService(tenant: string, service: string): boolean {
    return this.tenants.get(tenant)?.names.has(service) ?? false;
  }

  ownServiceLimit(tenant: string): number {
    const quota = this.options.quotasOf(tenant)?.services;
    if (quota === undefined) return Number.POSITIVE_INFINITY;
    return ownLimit(
      quota,
      this.options.self,
      this.live,
      this.tenants.get(tenant)?.ownedServices ?? new Map(),
      this.views,
    );
  }

  knownRoute(tenant: string, service: string, route: string): boolean {
    return this.tenants.get(tenant)?.names.get(service)?.has(route) ?? false;
  }

  ownRouteLimit(tenant: string, service: string): number {
    const quota = this.options.quotasOf(tenant)?.routesPerService;
    if (quota === undefined) return Number.POSITIVE_INFINITY;
    const owners = this.tenants.get(tenant)?.ownedRoutes.get(service) ?? new Map<string, number>();
    return ownLimit(quota, this.options.self, this.live, owners, this.views);
  }
}
