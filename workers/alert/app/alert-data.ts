import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';
import type { SeriesWindow } from '../domain/series-window.js';

/**
 * What the evaluator reads: each series a selector fans out to, aggregated over [from, to) (minute-aligned). Two
 * adapters: the QueryEngine (DuckDB or Trino, what `gravix alert` and `gravix dev` use) and minute rows held in
 * memory (the scenario bench, which replays a week minute by minute over rows the real rollup produced).
 */
export interface AlertData {
  windows(
    tenant: string,
    selector: AlertSelector,
    from: number,
    to: number,
    signal?: AbortSignal,
  ): Promise<SeriesWindow[]>;
}
