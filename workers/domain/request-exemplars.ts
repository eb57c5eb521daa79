/**
 * Exemplars: a few real requests kept per (minute, endpoint) so a chart's slow or failing minute is one click from
 * a trace. The rollup keeps two per row, from facts that carry a trace id: the slowest request, and the latest
 * 5xx ("recent 5xx"). The choice is a maximum over the minute's facts with a total order, so it does not depend on
 * the order facts are read in, on worker threads or on dedupe slices: a recomputed partition keeps the same
 * exemplars, byte for byte. A re-sent fact (same event_id) is the same request, so offering it twice changes
 * nothing.
 */
export interface Exemplar {
  /** 32 lowercase hex digits (W3C trace id). */
  traceId: string;
  /** 16 hex digits when the fact came from a span (OTLP), else null. */
  spanId: string | null;
  latencyMs: number;
  statusCode: number;
  /** The request's time (ms since epoch). */
  ts: number;
}

export interface RowExemplars {
  slowest: Exemplar | null;
  /** The latest request answered 5xx in the row. */
  failed: Exemplar | null;
}

export const noExemplars = (): RowExemplars => ({ slowest: null, failed: null });

const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Slower first; among equals the smaller trace id, then span id, so the pick is a total order. */
function slowerThan(a: Exemplar, b: Exemplar): boolean {
  if (a.latencyMs !== b.latencyMs) return a.latencyMs > b.latencyMs;
  return (textOrder(a.traceId, b.traceId) || textOrder(a.spanId ?? '', b.spanId ?? '')) < 0;
}

/** Later first; then slower (and the same tie-breaks). */
function laterThan(a: Exemplar, b: Exemplar): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  return slowerThan(a, b);
}

/** Whether `latencyMs` could replace the row's slowest exemplar: lets a hot loop skip building the candidate. */
export function mayBeSlowest(row: RowExemplars, latencyMs: number): boolean {
  return row.slowest === null || latencyMs >= row.slowest.latencyMs;
}

/** Offers one request to a row's exemplars (mutates `row`). */
export function offerExemplar(row: RowExemplars, candidate: Exemplar): void {
  if (row.slowest === null || slowerThan(candidate, row.slowest)) row.slowest = candidate;
  if (candidate.statusCode >= 500 && (row.failed === null || laterThan(candidate, row.failed)))
    row.failed = candidate;
}

/** The exemplars of merged rows (an hour of minutes, a service's endpoints): the same pick over all of them. */
export function mergeExemplars(into: RowExemplars, other: RowExemplars): void {
  if (other.slowest) offerExemplar(into, other.slowest);
  if (other.failed) offerExemplar(into, other.failed);
}
