import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';
import { rollUpToServices, type ServiceMetricsRow } from '../../domain/hour-metrics.js';
import { minuteMs, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import type { HistogramRow } from '../../query/app/query-engine.js';
import { countFields as summedCountFields, mergeHistogramRows } from '../../query/domain/merge-summaries.js';
import type { AlertData } from '../app/alert-data.js';
import { needsEndpoints } from '../domain/series-window.js';
import { foldIntoSeries } from './engine-alert-data.js';

/**
 * A metrics row as the engine's histograms() returns it for one group (metrics-sql.ts countSums): status classes
 * a row lacks (an older file) count as statusUnknown, the histogram is the row's buckets.
 */
export function toHistogramRow(
  key: { service: string; method?: string; path?: string },
  row: Omit<MinuteMetricsRow, 'minuteMs' | 'service' | 'method' | 'path'>,
): HistogramRow {
  return {
    ...key,
    requests: row.requests,
    errors5xx: row.errors5xx,
    errors4xx: row.errors4xx,
    status1xx: row.status1xx ?? 0,
    status2xx: row.status2xx ?? 0,
    status3xx: row.status3xx ?? 0,
    statusUnknown: row.status2xx === null ? row.requests - row.errors4xx - row.errors5xx : 0,
    estimatedRequests: row.estimatedRequests,
    latencyZero: row.latency.zeroCount,
    latencyMax: row.requests > 0 ? row.latencyMaxMs : null,
    // Shared, not copied: merges only read them, and the bench holds a week of rows.
    bucketIndex: row.latency.indexes,
    bucketCount: row.latency.counts,
  };
}

/** Aligned blocks of 2^level minutes: a 30-day window is at most ~32 of them. */
const maxLevel = 16;
/** Blocks this small are merged again on each use rather than kept: most of the memory, little of the work. */
const firstKeptLevel = 3;

type Grouping = 'service' | 'endpoint';
type Blocks = Map<number, HistogramRow[]>[];

export class MissingGroupingError extends Error {
  readonly code = 'ALERT_DATA_GROUPING_MISSING';
}

/**
 * The scenario bench's AlertData: a tenant's minute rows as the rollup aggregates them (MinuteMetricsAggregator;
 * rollUpToServices for the service level, as the rollup writes service_metrics_minute), answered from memory,
 * because the bench replays ten thousand minutes, each needing dozens of windows, some 30 days long. A window is
 * the merge of aligned power-of-two blocks of minutes, the larger ones merged once and kept: sums and bucket
 * merges are exact, so any split gives what one engine statement gives (minute-rows-alert-data.int.test.ts holds
 * it to the real rollup and DuckDB).
 */
export class MinuteRowsAlertData implements AlertData {
  private readonly levels = new Map<Grouping, Blocks>();

  /**
   * Service rows alone are enough for selectors that fan out per service or over everything (a week of a few
   * services' endpoint rows would not fit the bench's memory); endpoint rows answer every selector.
   */
  constructor(rows: { endpoint?: readonly MinuteMetricsRow[]; service: readonly ServiceMetricsRow[] }) {
    this.levels.set(
      'service',
      buildBlocks(
        rows.service.map(({ startMs, service, ...cells }) => [startMs, toHistogramRow({ service }, cells)]),
      ),
    );
    if (rows.endpoint)
      this.levels.set(
        'endpoint',
        buildBlocks(
          rows.endpoint.map(({ minuteMs: t, service, method, path, ...cells }) => [
            t,
            toHistogramRow({ service, method, path }, cells),
          ]),
        ),
      );
  }

  /** Both levels from a rollup's minute rows. */
  static fromMinuteRows(rows: readonly MinuteMetricsRow[]): MinuteRowsAlertData {
    return new MinuteRowsAlertData({ endpoint: rows, service: rollUpToServices(rows, 'minute') });
  }

  /** Rows of block `index` (in units of 2^level minutes), merged from its two halves. */
  private block(blocks: Blocks, level: number, index: number): HistogramRow[] {
    const cached = blocks[level]!.get(index);
    if (cached || level === 0) return cached ?? [];
    const rows = mergeBlocks([
      this.block(blocks, level - 1, 2 * index),
      this.block(blocks, level - 1, 2 * index + 1),
    ]);
    if (level >= firstKeptLevel) blocks[level]!.set(index, rows);
    return rows;
  }

  windows(_tenant: string, selector: AlertSelector, from: number, to: number) {
    const grouping = needsEndpoints(selector) ? 'endpoint' : 'service';
    const blocks = this.levels.get(grouping);
    if (!blocks)
      return Promise.reject(new MissingGroupingError(`no ${grouping} rows were loaded for this selector`));
    const parts: HistogramRow[][] = [];
    let at = Math.ceil(from / minuteMs);
    const end = Math.ceil(to / minuteMs);
    while (at < end) {
      let level = 0;
      while (level < maxLevel && at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
      parts.push(this.block(blocks, level, at / 2 ** level));
      at += 2 ** level;
    }
    return Promise.resolve(foldIntoSeries(selector, parts.length === 1 ? parts[0]! : mergeBlocks(parts)));
  }
}

function buildBlocks(rows: Iterable<[number, HistogramRow]>): Blocks {
  const minutes = new Map<number, HistogramRow[]>();
  for (const [t, row] of rows) {
    const index = t / minuteMs;
    const list = minutes.get(index);
    if (list) list.push(row);
    else minutes.set(index, [row]);
  }
  return [minutes, ...Array.from({ length: maxLevel }, () => new Map<number, HistogramRow[]>())];
}

const countFields = [...summedCountFields, 'latencyZero'] as const;

/**
 * Rows of the same key added up, as mergeHistogramRows does, over a dense array per key: the bench merges
 * millions of blocks and a Map per bucket was most of its time. Bucket indexes of one series span a few hundred.
 */
function mergeBlocks(parts: readonly (readonly HistogramRow[])[]): HistogramRow[] {
  const groups = new Map<string, HistogramRow[]>();
  for (const part of parts)
    for (const row of part) {
      const key = `${row.service}\u0000${row.method}\u0000${row.path}`;
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
  const merged: HistogramRow[] = [];
  for (const rows of groups.values()) merged.push(rows.length === 1 ? rows[0]! : mergeGroup(rows));
  return merged;
}

const keyOf = (r: HistogramRow) => ({ service: r.service, method: r.method, path: r.path });

function mergeGroup(rows: readonly HistogramRow[]): HistogramRow {
  const first = rows[0]!;
  const out: HistogramRow = { ...first, bucketIndex: [], bucketCount: [] };
  for (const f of countFields) out[f] = 0;
  let [low, high] = [Infinity, -Infinity];
  for (const row of rows) {
    for (const f of countFields) out[f] += row[f];
    if (row.bucketIndex.length > 0) {
      low = Math.min(low, row.bucketIndex[0]!);
      high = Math.max(high, row.bucketIndex[row.bucketIndex.length - 1]!);
    }
  }
  out.latencyMax = rows.reduce<number | null>(
    (max, r) => (r.latencyMax === null ? max : Math.max(max ?? r.latencyMax, r.latencyMax)),
    null,
  );
  if (high < low) return out;
  // Pathological spans (a client sending 1e-300 ms and an hour) take the generic merge.
  if (high - low > 65_536) return { ...mergeHistogramRows(rows)[0]!, ...keyOf(first) };
  const dense = new Float64Array(high - low + 1);
  for (const row of rows) row.bucketIndex.forEach((index, i) => (dense[index - low]! += row.bucketCount[i]!));
  dense.forEach((count, i) => {
    if (count === 0) return;
    out.bucketIndex.push(i + low);
    out.bucketCount.push(count);
  });
  return out;
}
