import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';
import type { HistogramRow, QueryEngine } from '../../query/app/query-engine.js';
import { mergeHistogramRows } from '../../query/domain/merge-summaries.js';
import type { AlertData } from '../app/alert-data.js';
import { needsEndpoints, seriesOf, type SeriesWindow } from '../domain/series-window.js';

/** Groups rows under the selector's fan-out and merges each group's counts and histograms. */
export function foldIntoSeries(selector: AlertSelector, rows: readonly HistogramRow[]): SeriesWindow[] {
  const keyed: HistogramRow[] = [];
  for (const row of rows) {
    const key = seriesOf(selector, row);
    if (!key) continue;
    const { service: _s, method: _m, path: _p, t: _t, ...measures } = row;
    keyed.push({ ...measures, ...key });
  }
  return mergeHistogramRows(keyed);
}

/**
 * Through the same QueryEngine the query API uses: one histograms() statement per window, grouped by service or
 * endpoint; a literal service name is pushed down, globs are matched here.
 */
export class EngineAlertData implements AlertData {
  constructor(private readonly engine: QueryEngine) {}

  async windows(tenant: string, selector: AlertSelector, from: number, to: number, signal?: AbortSignal) {
    const rows = await this.engine.histograms({
      tenant,
      from,
      to,
      groupBy: needsEndpoints(selector) ? 'endpoint' : 'service',
      ...(selector.service.includes('*') ? {} : { service: selector.service }),
      ...(signal ? { signal } : {}),
    });
    return foldIntoSeries(selector, rows);
  }
}
