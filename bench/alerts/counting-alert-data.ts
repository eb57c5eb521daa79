import type { AlertSelector } from '../../crds/gravix-alert-rule-spec.js';
import type { AlertData } from '../../workers/alert/app/alert-data.js';

/**
 * Counts the windows() calls the evaluator makes: each is one histograms() statement on the real QueryEngine
 * (EngineAlertData), so reads per evaluation is what a detector change costs DuckDB or Trino every minute,
 * whatever the bench's in-memory answer costs.
 */
export class CountingAlertData implements AlertData {
  reads = 0;

  constructor(private readonly inner: AlertData) {}

  windows(tenant: string, selector: AlertSelector, from: number, to: number, signal?: AbortSignal) {
    this.reads += 1;
    return this.inner.windows(tenant, selector, from, to, signal);
  }
}
