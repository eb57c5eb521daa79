import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';
import type { HistogramRow } from '../../query/app/query-engine.js';
import type { AlertData } from '../app/alert-data.js';
import { foldIntoSeries } from './engine-alert-data.js';

/**
 * Minute rows (t = minute start; service, or service + method + path) read once from the engine and answered
 * from memory: the scenario bench replays ten thousand minutes, each needing dozens of windows. The rows are the
 * real rollup's output read through the real engine; only the window sums happen here.
 */
export class MinuteRowsAlertData implements AlertData {
  private readonly byMinute = new Map<number, HistogramRow[]>();

  constructor(rows: readonly HistogramRow[]) {
    for (const row of rows) {
      const list = this.byMinute.get(row.t!) ?? [];
      list.push(row);
      this.byMinute.set(row.t!, list);
    }
  }

  windows(_tenant: string, selector: AlertSelector, from: number, to: number) {
    const rows: HistogramRow[] = [];
    for (let t = from; t < to; t += 60_000) rows.push(...(this.byMinute.get(t) ?? []));
    return Promise.resolve(foldIntoSeries(selector, rows));
  }
}
