import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
import type { RouteBudget } from '../domain/route-budget.js';
import { normalisePath } from '../domain/normalise-path.js';
import { quote } from '../wal/wal-record-json.js';

/** What the budget answered for one (service, raw path): JSON text ready to copy into a frame. */
export interface CachedRoute {
  /** The admitted service (itself or the overflow service), quoted. */
  serviceJson: Uint8Array;
  /** The admitted route, quoted. */
  routeJson: Uint8Array;
}

interface Entry extends CachedRoute {
  /** Service bytes, a 0 byte, raw path bytes (overflow routes: the raw path bytes alone). */
  key: Uint8Array;
  /** The admitted service, when the answer folded the route: a repeat is counted for the cardinality report. */
  routeFoldedUnder: string | undefined;
  next: Entry | undefined;
}

interface TenantTable {
  /** (service, raw path) answers, by FNV-1a of the key's bytes. */
  entries: Map<number, Entry>;
  /** The overflow service's route per raw path, by FNV-1a of the path's bytes: what a refused service gets. */
  overflowRoutes: Map<number, Entry>;
  /** Entries in both maps. */
  size: number;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1a of b[start, end), continued from `hash`. */
function fnv(hash: number, b: Uint8Array, start: number, end: number): number {
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ b[k]!, fnvPrime);
  return hash;
}

const overflowServiceJson = Buffer.from(quote(overflowService), 'utf8');

/** Past this many entries a tenant's cache starts over: raw paths full of ids must not grow it without end. */
const maxEntriesPerTenant = 20_000;

/**
 * The service and route the budget gave each (service, raw path) of a tenant, looked up by the body's bytes: a repeat
 * costs a hash of the bytes instead of two strings, a normalisation and two hashed map lookups. Exact, because a
 * budget does not change its answer while its epoch stays: an admitted route stays admitted, and a refused one
 * stays refused (a service's route set only grows, so once full it is full for good).
 *
 * A service the budget refuses is not cached by its name: a tenant past its services budget mostly sends names it
 * never sent before (issue #17.5's abuser: every fact a new service), and an entry per such fact (its key, two
 * quoted buffers, a map slot, the tenant's table started over every 20,000) was most of a batch's validation. Its
 * name goes to the budget every time (a map miss and the fold counted, which a cached refusal counted too), and
 * only the route it gets under the overflow service is cached, by raw path (docs/adr/0107).
 */
export class RouteCache {
  private readonly tenants = new Map<string, TenantTable>();
  private epoch: number;

  constructor(private readonly routes: RouteBudget) {
    this.epoch = routes.epoch;
  }

  /** The service and route JSON for service b[serviceStart, serviceEnd) and raw path b[pathStart, pathEnd) (plain ASCII). */
  admit(
    tenant: string,
    b: Buffer,
    serviceStart: number,
    serviceEnd: number,
    pathStart: number,
    pathEnd: number,
  ): CachedRoute {
    if (this.epoch !== this.routes.epoch) {
      // A tenant's quotas changed: answers cached under the old budgets (refusals above all) may be wrong now.
      this.tenants.clear();
      this.epoch = this.routes.epoch;
    }
    let table = this.tenants.get(tenant);
    if (!table) {
      table = { entries: new Map(), overflowRoutes: new Map(), size: 0 };
      this.tenants.set(tenant, table);
    }
    // FNV-1a over service, a 0 separator (never in plain text), path.
    const hash = fnv(Math.imul(fnv(fnvOffset, b, serviceStart, serviceEnd), fnvPrime), b, pathStart, pathEnd);
    for (let entry = table.entries.get(hash); entry; entry = entry.next) {
      if (sameKey(entry.key, b, serviceStart, serviceEnd, pathStart, pathEnd)) {
        if (entry.routeFoldedUnder !== undefined) this.routes.recordRouteFold(tenant, entry.routeFoldedUnder);
        return entry;
      }
    }
    const service = b.toString('latin1', serviceStart, serviceEnd);
    const admittedService = this.routes.admitService(tenant, service);
    if (admittedService === overflowService && service !== overflowService)
      return this.overflowRoute(tenant, table, b, pathStart, pathEnd);
    const route = this.routes.admit(
      tenant,
      admittedService,
      normalisePath(b.toString('latin1', pathStart, pathEnd)),
    );
    const key = new Uint8Array(serviceEnd - serviceStart + 1 + pathEnd - pathStart);
    key.set(b.subarray(serviceStart, serviceEnd));
    key.set(b.subarray(pathStart, pathEnd), serviceEnd - serviceStart + 1);
    return this.insert(table, table.entries, hash, {
      key,
      serviceJson: Buffer.from(quote(admittedService), 'utf8'),
      routeJson: Buffer.from(quote(route), 'utf8'),
      routeFoldedUnder: route === overflowRoute ? admittedService : undefined,
      next: undefined,
    });
  }

  /**
   * The route under the overflow service for raw path b[pathStart, pathEnd), for a fact whose service the budget
   * has just refused (and counted as folded).
   */
  private overflowRoute(
    tenant: string,
    table: TenantTable,
    b: Buffer,
    pathStart: number,
    pathEnd: number,
  ): CachedRoute {
    const hash = fnv(fnvOffset, b, pathStart, pathEnd);
    for (let entry = table.overflowRoutes.get(hash); entry; entry = entry.next) {
      if (sameBytes(entry.key, b, pathStart, pathEnd)) {
        if (entry.routeFoldedUnder !== undefined) this.routes.recordRouteFold(tenant, overflowService);
        return entry;
      }
    }
    const rawPath = b.toString('latin1', pathStart, pathEnd);
    const route = this.routes.admit(tenant, overflowService, normalisePath(rawPath));
    return this.insert(table, table.overflowRoutes, hash, {
      // A copy: a view would keep the whole body alive as long as the entry.
      key: new Uint8Array(b.subarray(pathStart, pathEnd)),
      serviceJson: overflowServiceJson,
      routeJson: Buffer.from(quote(route), 'utf8'),
      routeFoldedUnder: route === overflowRoute ? overflowService : undefined,
      next: undefined,
    });
  }

  /** Adds an entry at the head of its hash chain; past maxEntriesPerTenant the tenant's table starts over. */
  private insert(table: TenantTable, map: Map<number, Entry>, hash: number, entry: Entry): Entry {
    if (table.size >= maxEntriesPerTenant) {
      table.entries.clear();
      table.overflowRoutes.clear();
      table.size = 0;
    }
    entry.next = map.get(hash);
    map.set(hash, entry);
    table.size++;
    return entry;
  }
}

function sameBytes(key: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let k = start, at = 0; k < end; k++, at++) if (key[at] !== b[k]) return false;
  return true;
}

function sameKey(
  key: Uint8Array,
  b: Uint8Array,
  serviceStart: number,
  serviceEnd: number,
  pathStart: number,
  pathEnd: number,
): boolean {
  const serviceLength = serviceEnd - serviceStart;
  if (key.length !== serviceLength + 1 + pathEnd - pathStart || key[serviceLength] !== 0) return false;
  for (let k = 0; k < serviceLength; k++) if (key[k] !== b[serviceStart + k]) return false;
  for (let k = pathStart, at = serviceLength + 1; k < pathEnd; k++, at++) if (key[at] !== b[k]) return false;
  return true;
}
