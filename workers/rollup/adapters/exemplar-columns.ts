import { Float64, Int64, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import {
  exemplarColumnName,
  exemplarFields,
  exemplarKinds,
  type ExemplarField,
} from '../../domain/metrics-layout.js';
import type { MinuteMetricsRow } from '../../domain/minute-metrics.js';
import type { Exemplar, RowExemplars } from '../../domain/request-exemplars.js';

/**
 * The exemplar columns of request_metrics_minute (metrics-layout.ts) to and from Parquet: one nullable column per
 * (kind, field); a row without that exemplar is NULL in all five of its columns.
 */
const fieldOf: Record<ExemplarField, (e: Exemplar) => string | number | null> = {
  trace_id: (e) => e.traceId,
  span_id: (e) => e.spanId,
  latency_ms: (e) => e.latencyMs,
  status_code: (e) => e.statusCode,
  ts_ms: (e) => e.ts,
};

function nullableNumbers(type: 'int64' | 'float64', values: readonly (number | null)[]): Data {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  const data = type === 'int64' ? new BigInt64Array(values.length) : new Float64Array(values.length);
  values.forEach((v, i) => {
    if (v === null) return void (nulls += 1);
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else data[i] = v;
    nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({
    type: type === 'int64' ? new Int64() : new Float64(),
    length: values.length,
    nullCount: nulls,
    data,
    nullBitmap,
  } as never);
}

type Encoder = (rows: readonly Pick<MinuteMetricsRow, 'exemplars'>[]) => Data;

/** Column name -> encoder, for metricsColumnEncoders. */
export const exemplarColumnEncoders: Record<string, Encoder> = Object.fromEntries(
  exemplarKinds.flatMap((kind) =>
    exemplarFields.map(([field, type]): [string, Encoder] => [
      exemplarColumnName(kind, field),
      (rows) => {
        const values = rows.map((r) => {
          const e = r.exemplars?.[kind];
          return e ? fieldOf[field](e) : null;
        });
        return type === 'utf8'
          ? vectorFromArray(values, new Utf8()).data[0]!
          : nullableNumbers(type, values as (number | null)[]);
      },
    ]),
  ),
);

/** A decoded row's exemplars; undefined when it has none (a file without the columns reads so). */
export function decodeExemplars(r: Record<string, unknown>): RowExemplars | undefined {
  const read = (kind: (typeof exemplarKinds)[number]): Exemplar | null => {
    const col = (field: ExemplarField) => r[exemplarColumnName(kind, field)];
    const traceId = col('trace_id');
    if (traceId === null || traceId === undefined) return null;
    const spanId = col('span_id');
    return {
      traceId: String(traceId),
      spanId: spanId === null || spanId === undefined ? null : String(spanId),
      latencyMs: Number(col('latency_ms')),
      statusCode: Number(col('status_code')),
      ts: Number(col('ts_ms')),
    };
  };
  const exemplars = { slowest: read('slowest'), failed: read('failed') };
  return exemplars.slowest === null && exemplars.failed === null ? undefined : exemplars;
}
