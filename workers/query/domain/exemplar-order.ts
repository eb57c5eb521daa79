import type { ExemplarKind } from '../../domain/metrics-layout.js';
import type { ExemplarRow } from '../app/query-engine.js';

/**
 * The order the exemplars API lists a kind in, written once for the engines' ORDER BY (adapters/exemplars-sql.ts
 * spells the same terms) and for the result cache, which merges a cached closed range with the open hour:
 * `slowest` by latency, then the latest; `failed` (recent 5xx) by time, newest first, then the slowest. The
 * remaining ties fall to trace id, span id and the row's key, so the order is total and both engines and the
 * cache answer the same list.
 */
export const exemplarOrder: Record<ExemplarKind, readonly ('latencyMs' | 't')[]> = {
  slowest: ['latencyMs', 't'],
  failed: ['t', 'latencyMs'],
};

/** The ascending tie-breaks after a kind's two descending terms. */
export const exemplarTieBreaks = ['traceId', 'spanId', 'minute', 'service', 'method', 'path'] as const;

/** Text in code point order, as DuckDB and Trino compare VARCHAR (UTF-8 bytes), not JavaScript's UTF-16 units. */
function compareText(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareAscending(a: ExemplarRow, b: ExemplarRow, field: (typeof exemplarTieBreaks)[number]): number {
  const [x, y] = [a[field], b[field]];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  // A missing span id sorts as the empty text (the SQL's coalesce).
  return compareText(String(x ?? ''), String(y ?? ''));
}

export function compareExemplars(kind: ExemplarKind): (a: ExemplarRow, b: ExemplarRow) => number {
  return (a, b) => {
    for (const field of exemplarOrder[kind]) {
      const d = b[field] - a[field];
      if (d !== 0) return d;
    }
    for (const field of exemplarTieBreaks) {
      const d = compareAscending(a, b, field);
      if (d !== 0) return d;
    }
    return 0;
  };
}

/** The first `limit` of two lists' union in the kind's order: each part's own first `limit` are enough. */
export function mergeExemplarRows(
  kind: ExemplarKind,
  parts: readonly (readonly ExemplarRow[])[],
  limit: number,
): ExemplarRow[] {
  return parts.flat().sort(compareExemplars(kind)).slice(0, limit);
}
