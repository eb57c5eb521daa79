import { bucketCompleteness } from '../domain/chart-specs.js';
import { buildCompareFigures, type CompareFigure } from '../domain/compare-figures.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { resolveRange } from '../domain/time-range.js';
import type { ApiClient } from './api-client.js';

/**
 * The comparison's numbers: one timeseries call whose single step spans the range, with compare= for the earlier
 * range (the server merges both histograms). The range ends before the bucket still filling (newestMinute), as the
 * charts' lines do, so the figures never show a drop that is only the rollup catching up. Null without compare.
 */
export async function loadCompareFigures(
  api: ApiClient,
  state: DashboardState,
  now: number,
  newestMinute: number | null,
): Promise<CompareFigure[] | null> {
  if (!state.compare) return null;
  const { from, to, stepMs } = resolveRange(state.range, now, state.step);
  let end = from;
  while (end < to && bucketCompleteness(end, stepMs, newestMinute) === 'complete') end += stepMs;
  if (end <= from) return null;
  const answer = await api.timeseries({
    service: state.service,
    method: state.endpoint?.method,
    path: state.endpoint?.path,
    from,
    to: end,
    step: end - from,
    compare: state.compare,
  });
  const [current] = answer.points;
  if (!current) return null;
  return buildCompareFigures(current, answer.compare?.points[0] ?? null, state.compare);
}
