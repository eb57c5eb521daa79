import type { Data, RecordBatch } from 'apache-arrow';
import { decodeParquet } from '../../adapters/parquet-codec.js';
import {
  addToMerge,
  finishCells,
  rollUpMinutesToQuarters,
  startMerge,
  startOfSpan,
  type MergeInput,
  type MetricsMerge,
  type QuarterMetricsRow,
} from '../../domain/hour-metrics.js';
import { decodeRequestMinuteMeasures } from './metrics-parquet.js';

const text = new TextDecoder();

/**
 * An hour's request_metrics_minute file merged per (quarter-hour, endpoint), for the endpoints' quarter-hour day and
 * open-day tiles (docs/adr/0144). The file is written sorted by endpoint, then minute (encodeMinuteFile), so each
 * (endpoint, quarter) is one run of consecutive rows: the merge reads the columns of each decoded row group in
 * place and never builds a row object per minute row, which cost ~490 ms a file of 15,000 rows with the merge
 * (against ~113 ms this way) and made a day's tile build ten times the day's other tiles' time (docs/adr/0141). The
 * runs go through the domain's own merge (startMerge/addToMerge/finishCells) in file order, as
 * rollUpMinutesToQuarters would visit them, so both give the same bits. A file in any other order (written before
 * docs/adr/0093) is merged by rollUpMinutesToQuarters from decoded rows.
 */
export function rollUpMinuteFileToQuarters(bytes: Uint8Array): QuarterMetricsRow[] {
  const runs = new QuarterRuns();
  for (const batch of decodeParquet(bytes).batches) {
    if (batch.numRows === 0) continue;
    const columns = minuteColumns(batch);
    if (!columns || !runs.add(columns, batch.numRows))
      return rollUpMinutesToQuarters(decodeRequestMinuteMeasures(bytes));
  }
  return runs.finish();
}

type MinuteColumns = NonNullable<ReturnType<typeof minuteColumns>>;

/** The (endpoint, quarter) runs of a file sorted by endpoint then minute, each merged as its rows come. */
class QuarterRuns {
  private readonly rows: QuarterMetricsRow[] = [];
  /** Endpoints whose rows ended: one seen again means the file is not sorted by endpoint. */
  private readonly ended = new Set<string>();
  private run: { merge: MetricsMerge; endpoint: string } | undefined;

  /** Merges a row group's rows into their runs; false when a row is out of order (the caller decodes rows then). */
  add(columns: MinuteColumns, rowCount: number): boolean {
    for (let i = 0; i < rowCount; i++) {
      if (!this.place(columns, i)) return false;
      addToMerge(this.run!.merge, columns.row(i));
    }
    return true;
  }

  finish(): QuarterMetricsRow[] {
    this.close();
    this.run = undefined;
    return this.rows;
  }

  /** Makes row i's run the current one: its previous row's, or a new one; false when row i is out of order. */
  private place(columns: MinuteColumns, i: number): boolean {
    const quarter = startOfSpan(Number(columns.minute[i]), 'quarter');
    const run = this.run;
    if (!run) return this.open(columns.key(i), quarter);
    // Within a row group, a row of the same endpoint has the same key bytes: decode the key only when they change.
    const sameEndpoint = i > 0 ? columns.sameKey(i - 1, i) : columns.key(i) === run.endpoint;
    if (sameEndpoint) {
      if (quarter === run.merge.key.startMs) return true;
      return quarter > run.merge.key.startMs && this.open(run.endpoint, quarter);
    }
    const endpoint = columns.key(i);
    if (this.ended.has(endpoint)) return false;
    this.ended.add(run.endpoint);
    return this.open(endpoint, quarter);
  }

  private open(endpoint: string, quarter: number): true {
    this.close();
    // Names never hold control characters (workers/domain/text-rule.ts), so NUL joins them unambiguously.
    const [service, method, path] = endpoint.split('\u0000') as [string, string, string];
    this.run = { merge: startMerge({ startMs: quarter, service, method, path }), endpoint };
    return true;
  }

  private close(): void {
    if (!this.run) return;
    const { startMs, service, method, path } = this.run.merge.key;
    this.rows.push({ quarterMs: startMs, service, method, path, ...finishCells(this.run.merge) });
  }
}

/**
 * One row group's columns as typed arrays, and the reads the merge needs of them; undefined for a shape the reads
 * below do not index (a column in several chunks or sliced), which the row decode handles.
 */
function minuteColumns(batch: RecordBatch) {
  const chunked = batch.schema.fields.some((f) => {
    const chunks = batch.getChild(f.name)!.data;
    return chunks.length !== 1 || chunks[0]!.offset !== 0;
  });
  if (chunked) return undefined;
  const data = (name: string): Data | undefined => batch.getChild(name)?.data[0];
  const values = <T>(name: string) => data(name)!.values as T;
  const keys = ['service', 'method', 'path'].map((name) => data(name)!);
  const numbers = {
    requests: values<BigInt64Array>('requests'),
    errors5xx: values<BigInt64Array>('errors_5xx'),
    errors4xx: values<BigInt64Array>('errors_4xx'),
    latencySumMs: values<Float64Array>('latency_sum_ms'),
    latencyMinMs: values<Float64Array>('latency_min_ms'),
    latencyMaxMs: values<Float64Array>('latency_max_ms'),
    zeroCount: values<BigInt64Array>('latency_zero_count'),
  };
  // Columns older files lack (metrics-layout.ts laterColumn): absent or NULL, a status class is unknown and a
  // row is not estimated, as decodeMetricsCells reads them.
  const nullable = (name: string) => {
    const column = data(name);
    if (!column) return () => null;
    const vals = column.values as BigInt64Array;
    return (i: number) => (column.getValid(i) ? Number(vals[i]) : null);
  };
  const [status1xx, status2xx, status3xx, estimated] = [
    nullable('status_1xx'),
    nullable('status_2xx'),
    nullable('status_3xx'),
    nullable('estimated_requests'),
  ];
  const indexList = data('latency_bucket_index')!;
  const countList = data('latency_bucket_count')!;
  const indexOffsets = indexList.valueOffsets;
  const countOffsets = countList.valueOffsets;
  const indexValues = indexList.children[0]!.values as Int32Array;
  // Bucket counts fit a double exactly (a minute's requests); converted once per row group, not per row.
  const counts64 = countList.children[0]!.values as BigInt64Array;
  const countValues = new Float64Array(counts64.length);
  for (let k = 0; k < counts64.length; k++) countValues[k] = Number(counts64[k]);
  const textAt = (column: Data, i: number) =>
    text.decode((column.values as Uint8Array).subarray(column.valueOffsets[i], column.valueOffsets[i + 1]));
  const sameText = (column: Data, a: number, b: number) => {
    const [offsets, bytes] = [column.valueOffsets, column.values as Uint8Array];
    const length = offsets[a + 1]! - offsets[a]!;
    if (length !== offsets[b + 1]! - offsets[b]!) return false;
    for (let k = 0; k < length; k++) if (bytes[offsets[a]! + k] !== bytes[offsets[b]! + k]) return false;
    return true;
  };
  return {
    minute: values<BigInt64Array>('minute_ms'),
    key: (i: number) => keys.map((column) => textAt(column, i)).join('\u0000'),
    sameKey: (a: number, b: number) => keys.every((column) => sameText(column, a, b)),
    row: (i: number): MergeInput => ({
      requests: Number(numbers.requests[i]),
      errors5xx: Number(numbers.errors5xx[i]),
      errors4xx: Number(numbers.errors4xx[i]),
      status1xx: status1xx(i),
      status2xx: status2xx(i),
      status3xx: status3xx(i),
      estimatedRequests: estimated(i) ?? 0,
      latencySumMs: numbers.latencySumMs[i]!,
      latencyMinMs: numbers.latencyMinMs[i]!,
      latencyMaxMs: numbers.latencyMaxMs[i]!,
      latency: {
        zeroCount: Number(numbers.zeroCount[i]),
        indexes: indexValues.subarray(indexOffsets[i], indexOffsets[i + 1]),
        counts: countValues.subarray(countOffsets[i], countOffsets[i + 1]),
      },
    }),
  };
}
