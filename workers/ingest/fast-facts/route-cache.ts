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
  /** Service bytes, a 0 byte, raw path bytes. */
  key: Uint8Array;
  /** Set when the answer folded the service or the route: a repeat is counted for the cardinality report. */
  folded: { service: string; intoService: boolean; intoRoute: boolean } | undefined;
  next: Entry | undefined;
}

/** Past this many entries a tenant's cache starts over: raw paths full of ids must not grow it without end. */
const maxEntriesPerTenant = 20_000;

/**
 * The service and route the budget gave each (service, raw path) of a tenant, looked up by the body's bytes: a repeat
 * costs a hash of the bytes instead of two strings, a normalisation and two hashed map lookups. Exact, because a
 * budget does not change its answer while its epoch stays: an admitted route stays admitted, and a refused one
 * stays refused (a service's route set only grows, so once full it is full for good).
 */
export class RouteCache {
  private readonly tenants = new Map<string, { entries: Map<number, Entry>; size: number }>();
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
      table = { entries: new Map(), size: 0 };
      this.tenants.set(tenant, table);
    }
    // FNV-1a over service, a 0 separator (never in plain text), path.
    let hash = 0x811c9dc5;
    for (let k = serviceStart; k < serviceEnd; k++) hash = Math.imul(hash ^ b[k]!, 0x01000193);
    hash = Math.imul(hash, 0x01000193);
    for (let k = pathStart; k < pathEnd; k++) hash = Math.imul(hash ^ b[k]!, 0x01000193);
    const head = table.entries.get(hash);
    for (let entry = head; entry; entry = entry.next) {
      if (sameKey(entry.key, b, serviceStart, serviceEnd, pathStart, pathEnd)) {
        if (entry.folded) this.countRepeat(tenant, entry.folded);
        return entry;
      }
    }
    const service = b.toString('latin1', serviceStart, serviceEnd);
    const rawPath = b.toString('latin1', pathStart, pathEnd);
    const admittedService = this.routes.admitService(tenant, service);
    const route = this.routes.admit(tenant, admittedService, normalisePath(rawPath));
    const intoService = admittedService !== service;
    const intoRoute = route === overflowRoute;
    if (table.size >= maxEntriesPerTenant) {
      table.entries.clear();
      table.size = 0;
    }
    const key = new Uint8Array(serviceEnd - serviceStart + 1 + pathEnd - pathStart);
    key.set(b.subarray(serviceStart, serviceEnd));
    key.set(b.subarray(pathStart, pathEnd), serviceEnd - serviceStart + 1);
    const entry: Entry = {
      key,
      serviceJson: Buffer.from(quote(admittedService), 'utf8'),
      routeJson: Buffer.from(quote(route), 'utf8'),
      folded: intoService || intoRoute ? { service, intoService, intoRoute } : undefined,
      next: table.entries.get(hash),
    };
    table.entries.set(hash, entry);
    table.size++;
    return entry;
  }

  /** A cached answer that folded: the budget counts the fact as if it had answered. */
  private countRepeat(tenant: string, folded: NonNullable<Entry['folded']>): void {
    if (folded.intoService) this.routes.recordServiceFold(tenant, folded.service);
    if (folded.intoRoute)
      this.routes.recordRouteFold(tenant, folded.intoService ? overflowService : folded.service);
  }
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
