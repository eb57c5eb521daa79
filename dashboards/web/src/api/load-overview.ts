import type { DashboardState } from '../domain/dashboard-state.js';
import {
  buildOverviewRow,
  comparisonLabel,
  comparisonOffsetMs,
  sortOverview,
  type OverviewRow,
} from '../domain/service-overview.js';
import { resolveRange } from '../domain/time-range.js';
import type { ApiClient } from './api-client.js';

/** Services the overview compares; more would queue past the query API's per-tenant statement budget. */
export const OVERVIEW_SERVICES = 8;

/**
 * The service overview: each busy service over the range and the same range a week earlier (two /services calls
 * with latency=1), plus one throughput series per service for its sparkline. Loaded after the charts, so it never
 * competes with them for the tenant's statement slots. Null when the load was superseded before the sparklines.
 */
export async function loadOverview(
  api: ApiClient,
  state: DashboardState,
  now: number,
  isCurrent: () => boolean = () => true,
): Promise<OverviewRow[] | null> {
  const { from, to, stepMs } = resolveRange(state.range, now, state.step);
  const offset = comparisonOffsetMs(to - from);
  const [current, lastWeek] = await Promise.all([
    api.services({ from, to, limit: OVERVIEW_SERVICES, latency: true }),
    api.services({ from: from - offset, to: to - offset, limit: 1000, latency: true }),
  ]);
  // The user moved on (another service, range or sort): its sparklines would only queue in front of the new load.
  if (!isCurrent()) return null;
  const before = new Map(lastWeek.services.map((s) => [s.service, s]));
  const sparks = await Promise.all(
    current.services.map((s) => api.timeseries({ service: s.service, from, to, step: stepMs })),
  );
  const rows = current.services.map((s, i) =>
    buildOverviewRow({
      service: s.service,
      now: s,
      lastWeek: before.get(s.service) ?? null,
      against: comparisonLabel(offset),
      spark: sparks[i]!.points.map((p) => (p.requests > 0 ? p.throughput : null)),
    }),
  );
  return sortOverview(rows);
}
