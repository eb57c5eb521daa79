import * as latencySummary from './latency-summary.js';
import {
  InvalidLatencyError,
  LatencySketch,
  latencyBucketOf,
  type LatencyBuckets,
} from './latency-sketch.js';
import {
  mergeExemplars,
  noExemplars,
  offerExemplar,
  type Exemplar,
  type RowExemplars,
} from './request-exemplars.js';

export const minuteMs = 60_000;

/** What the rollup needs from a request fact (a RawFact satisfies it). */
export interface MinuteFactInput extends latencySummary.KnownLatencies {
  ts: number;
  service: string;
  method: string;
  path: string;
  status_code: number;
  latency_ms: number;
  /** The adjusted count of a sampled fact (raw-record.ts); absent is 1. */
  weight?: number;
  /** Exactly this many requests of this latency (an OTLP histogram bucket, raw-record.ts); absent is 1. */
  count?: number;
  /** A fact with a trace id may become one of its row's exemplars (request-exemplars.ts). */
  trace_id?: string;
  span_id?: string;
}

/** One row of request_metrics_minute: everything about one (minute, service, method, path). */
export interface MinuteMetricsRow {
  /** Start of the minute, ms since epoch (UTC). */
  minuteMs: number;
  service: string;
  method: string;
  path: string;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  /**
   * Requests with a 1xx, 2xx, 3xx status. Null only in rows read back from files written before these were
   * stored, and in any merge that includes such a row: the split of the other requests is then unknown.
   */
  status1xx: number | null;
  status2xx: number | null;
  status3xx: number | null;
  /**
   * Requests counted from sampled facts (their adjusted counts, raw-record.ts `weight`): above 0 means the row's
   * counts are estimates of the unsampled truth. 0 in rows read from files written before it was stored.
   */
  estimatedRequests: number;
  latencySumMs: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  latency: LatencyBuckets;
  /** Minute rows only, and only when a fact of the row carried a trace id: its slowest and latest 5xx request. */
  exemplars?: RowExemplars;
}

export function buildMinuteStart(ts: number): number {
  return ts - (((ts % minuteMs) + minuteMs) % minuteMs);
}

interface Accumulator {
  minuteMs: number;
  service: string;
  method: string;
  path: string;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  status1xx: number;
  status2xx: number;
  status3xx: number;
  estimated: number;
  sum: number;
  min: number;
  max: number;
  sketch: LatencySketch;
  /** Whether a fact with a fractional weight was added: its counts are rounded when the row is built. */
  fractional: boolean;
}

/** Code-unit order, so every run sorts identically whatever the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type EndpointKey = Pick<MinuteMetricsRow, 'service' | 'method' | 'path'>;

/** (service, method, path) in code-unit order: the row order of every metrics file. */
export function compareEndpointKeys(a: EndpointKey, b: EndpointKey): number {
  return compareText(a.service, b.service) || compareText(a.method, b.method) || compareText(a.path, b.path);
}

export function compareMinuteKeys(
  a: EndpointKey & Pick<MinuteMetricsRow, 'minuteMs'>,
  b: EndpointKey & Pick<MinuteMetricsRow, 'minuteMs'>,
): number {
  return a.minuteMs - b.minuteMs || compareEndpointKeys(a, b);
}

/** Quantile clamped to the exact min/max, which only ever moves the estimate closer to the truth. */
export function clampedQuantile(sketch: LatencySketch, q: number, min: number, max: number): number {
  const value = sketch.quantile(q) ?? 0;
  return Math.min(max, Math.max(min, value));
}

/**
 * One endpoint's rows, by minute number (epoch minutes: small integers, which V8 keeps unboxed as keys). A scan
 * thread's facts reach it through MinuteMetricsAggregator.endpoint() once per segment dictionary entry, so the
 * per-fact cost is one small Map lookup, not three string-keyed ones.
 */
export class EndpointMinutes {
  readonly minutes = new Map<number, Accumulator>();
  /** By minute number, apart from the rows: offering an exemplar never creates a row (dedupe decides rows). */
  readonly exemplars = new Map<number, RowExemplars>();

  constructor(
    readonly service: string,
    readonly method: string,
    readonly path: string,
    private readonly onNewRow: () => void,
  ) {}

  /**
   * The rows by minute index mod 64, in front of the Map: a partition is one hour, so its minutes never collide
   * and nearly every fact finds its row with one array read instead of a hash lookup.
   */
  private readonly recent: (Accumulator | undefined)[] = new Array<Accumulator | undefined>(64).fill(
    undefined,
  );

  private row(minuteIndex: number): Accumulator {
    const slot = minuteIndex & 63;
    let acc = this.recent[slot];
    if (acc !== undefined && acc.minuteMs === minuteIndex * minuteMs) return acc;
    acc = this.minutes.get(minuteIndex);
    if (acc === undefined) {
      acc = buildAccumulator(minuteIndex * minuteMs, this);
      this.minutes.set(minuteIndex, acc);
      this.onNewRow();
    }
    this.recent[slot] = acc;
    return acc;
  }

  /** One unsampled fact; `bucket` is latencyBucketOf(latencyMs), computed wherever it is cheapest. */
  add(minuteIndex: number, statusCode: number, latencyMs: number, bucket: number): void {
    const acc = this.row(minuteIndex);
    acc.requests += 1;
    if (statusCode >= 500) acc.errors5xx += 1;
    else if (statusCode >= 400) acc.errors4xx += 1;
    else if (statusCode >= 300) acc.status3xx += 1;
    else if (statusCode >= 200) acc.status2xx += 1;
    else acc.status1xx += 1;
    acc.sum += latencyMs;
    if (latencyMs < acc.min) acc.min = latencyMs;
    if (latencyMs > acc.max) acc.max = latencyMs;
    acc.sketch.addToIndex(bucket);
  }

  /** The minute's exemplars, created on first use (offer with offerExemplar/mergeExemplars). */
  exemplarsOf(minuteIndex: number): RowExemplars {
    let row = this.exemplars.get(minuteIndex);
    if (row === undefined) {
      row = noExemplars();
      this.exemplars.set(minuteIndex, row);
    }
    return row;
  }

  offerExemplar(minuteIndex: number, exemplar: Exemplar): void {
    offerExemplar(this.exemplarsOf(minuteIndex), exemplar);
  }

  mergeExemplars(minuteIndex: number, other: RowExemplars): void {
    mergeExemplars(this.exemplarsOf(minuteIndex), other);
  }

  /**
   * A sampled fact counts as its weight in requests, error counts, the latency sum and the histogram, so a
   * head-sampled service's throughput and error counts are estimates of the unsampled truth. `estimated` is the
   * part of it that is an estimate: all of a sampled fact's weight, none of an exact histogram bucket's count.
   */
  addWeighted(
    minuteIndex: number,
    statusCode: number,
    latencyMs: number,
    weight: number,
    estimated = weight,
    known: latencySummary.LatencySummary = {},
  ): void {
    const acc = this.row(minuteIndex);
    if (!Number.isInteger(weight)) acc.fractional = true;
    acc.requests += weight;
    acc.estimated += estimated;
    if (statusCode >= 500) acc.errors5xx += weight;
    else if (statusCode >= 400) acc.errors4xx += weight;
    else if (statusCode >= 300) acc.status3xx += weight;
    else if (statusCode >= 200) acc.status2xx += weight;
    else acc.status1xx += weight;
    latencySummary.foldLatencies(acc, latencyMs, weight, known);
    acc.sketch.add(latencyMs, weight);
  }
}

/**
 * Folds deduplicated facts into per-minute rows; feed each fact once. Every fact of a row is added in feed
 * order whichever entry point it takes, so latency_sum_ms (a float sum) is the same bits either way.
 */
export class MinuteMetricsAggregator {
  // service -> method -> path: nested maps avoid building a key string for every fact.
  private readonly endpoints = new Map<string, Map<string, Map<string, EndpointMinutes>>>();
  private count = 0;
  private readonly countRow = (): void => {
    this.count += 1;
  };

  add(fact: MinuteFactInput): void {
    const latency = fact.latency_ms;
    if (!(latency >= 0) || !Number.isFinite(latency)) {
      throw new InvalidLatencyError(`latency_ms ${latency} must be a finite number >= 0`);
    }
    const endpoint = this.endpoint(fact.service, fact.method, fact.path);
    const minuteIndex = Math.floor(fact.ts / minuteMs);
    const weight = fact.weight ?? 1;
    const count = fact.count ?? 1;
    const known = latencySummary.latencySummaryOf(fact);
    if (weight === 1 && count === 1 && known === undefined)
      endpoint.add(minuteIndex, fact.status_code, latency, latencyBucketOf(latency));
    else
      endpoint.addWeighted(
        minuteIndex,
        fact.status_code,
        latency,
        weight * count,
        weight === 1 ? 0 : weight * count,
        known,
      );
    if (fact.trace_id) {
      endpoint.offerExemplar(minuteIndex, {
        traceId: fact.trace_id,
        spanId: fact.span_id || null,
        latencyMs: latency,
        statusCode: fact.status_code,
        ts: fact.ts,
      });
    }
  }

  /** The endpoint's rows, created on first use. */
  endpoint(service: string, method: string, path: string): EndpointMinutes {
    const byMethod = child(this.endpoints, service, () => new Map<string, Map<string, EndpointMinutes>>());
    const byPath = child(byMethod, method, () => new Map<string, EndpointMinutes>());
    let endpoint = byPath.get(path);
    if (endpoint === undefined) {
      endpoint = new EndpointMinutes(service, method, path, this.countRow);
      byPath.set(path, endpoint);
    }
    return endpoint;
  }

  get size(): number {
    return this.count;
  }

  /** Rows sorted by (minute, service, method, path) so the output bytes are deterministic. */
  rows(): MinuteMetricsRow[] {
    const rows: MinuteMetricsRow[] = [];
    for (const byMethod of this.endpoints.values()) {
      for (const byPath of byMethod.values()) {
        for (const endpoint of byPath.values()) rows.push(...endpointRows(endpoint));
      }
    }
    return rows.sort(compareMinuteKeys);
  }
}

function child<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function buildAccumulator(minute: number, endpoint: EndpointKey): Accumulator {
  return {
    minuteMs: minute,
    service: endpoint.service,
    method: endpoint.method,
    path: endpoint.path,
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    status1xx: 0,
    status2xx: 0,
    status3xx: 0,
    estimated: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    sketch: new LatencySketch(),
    fractional: false,
  };
}

/**
 * Counts are integers in every metrics file; fractional adjusted counts (a 30% sample stands for 3.33 requests)
 * are rounded per row, and a non-empty bucket keeps at least 1 so no observed latency disappears.
 */
function roundedBuckets(buckets: LatencyBuckets): LatencyBuckets {
  return {
    zeroCount: buckets.zeroCount === 0 ? 0 : Math.max(1, Math.round(buckets.zeroCount)),
    indexes: buckets.indexes,
    counts: buckets.counts.map((c) => Math.max(1, Math.round(c))),
  };
}

function endpointRows(endpoint: EndpointMinutes): MinuteMetricsRow[] {
  return [...endpoint.minutes].map(([minuteIndex, acc]) =>
    buildRow(acc, endpoint.exemplars.get(minuteIndex)),
  );
}

function buildRow(acc: Accumulator, exemplars: RowExemplars | undefined): MinuteMetricsRow {
  const { sketch, min, max } = acc;
  const row: MinuteMetricsRow = {
    minuteMs: acc.minuteMs,
    service: acc.service,
    method: acc.method,
    path: acc.path,
    requests: acc.fractional ? Math.round(acc.requests) : acc.requests,
    errors5xx: acc.fractional ? Math.round(acc.errors5xx) : acc.errors5xx,
    errors4xx: acc.fractional ? Math.round(acc.errors4xx) : acc.errors4xx,
    status1xx: acc.fractional ? Math.round(acc.status1xx) : acc.status1xx,
    status2xx: acc.fractional ? Math.round(acc.status2xx) : acc.status2xx,
    status3xx: acc.fractional ? Math.round(acc.status3xx) : acc.status3xx,
    // At least 1 when any sampled fact was added: a row is estimated even when its weights round away.
    estimatedRequests: acc.estimated === 0 ? 0 : Math.max(1, Math.round(acc.estimated)),
    latencySumMs: acc.sum,
    latencyMinMs: min,
    latencyMaxMs: max,
    latencyP50Ms: clampedQuantile(sketch, 0.5, min, max),
    latencyP95Ms: clampedQuantile(sketch, 0.95, min, max),
    latencyP99Ms: clampedQuantile(sketch, 0.99, min, max),
    latency: acc.fractional ? roundedBuckets(sketch.toBuckets()) : sketch.toBuckets(),
  };
  if (exemplars) row.exemplars = exemplars;
  return row;
}

export interface MinuteMetricsFilter {
  service?: string;
  method?: string;
  path?: string;
  /** Inclusive start, ms since epoch. */
  fromMs?: number;
  /** Exclusive end, ms since epoch. */
  toMs?: number;
}

export interface MergedMinuteMetrics {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  status1xx: number | null;
  status2xx: number | null;
  status3xx: number | null;
  latencySumMs: number;
  latencyMinMs: number | undefined;
  latencyMaxMs: number | undefined;
  /** Quantile over every merged request, within 1% relative error. */
  quantile(q: number): number | undefined;
}

function matches(row: MinuteMetricsRow, filter: MinuteMetricsFilter): boolean {
  if (filter.service !== undefined && row.service !== filter.service) return false;
  if (filter.method !== undefined && row.method !== filter.method) return false;
  if (filter.path !== undefined && row.path !== filter.path) return false;
  if (filter.fromMs !== undefined && row.minuteMs < filter.fromMs) return false;
  return filter.toMs === undefined || row.minuteMs < filter.toMs;
}

/** Merges rows over a range/filter the only correct way: summing counts and histogram buckets. */
export function mergeMinuteMetrics(
  rows: Iterable<MinuteMetricsRow>,
  filter: MinuteMetricsFilter = {},
): MergedMinuteMetrics {
  const sketch = new LatencySketch();
  let [requests, errors5xx, errors4xx, sum, min, max] = [0, 0, 0, 0, Infinity, -Infinity];
  let classes: StatusClassCounts = { status1xx: 0, status2xx: 0, status3xx: 0 };
  for (const row of rows) {
    if (!matches(row, filter)) continue;
    requests += row.requests;
    errors5xx += row.errors5xx;
    errors4xx += row.errors4xx;
    classes = addStatusClasses(classes, row);
    sum += row.latencySumMs;
    min = Math.min(min, row.latencyMinMs);
    max = Math.max(max, row.latencyMaxMs);
    sketch.addBuckets(row.latency);
  }
  const empty = requests === 0;
  return {
    requests,
    errors5xx,
    errors4xx,
    ...classes,
    latencySumMs: sum,
    latencyMinMs: empty ? undefined : min,
    latencyMaxMs: empty ? undefined : max,
    quantile: (q) => (empty ? undefined : clampedQuantile(sketch, q, min, max)),
  };
}

export type StatusClassCounts = Pick<MinuteMetricsRow, 'status1xx' | 'status2xx' | 'status3xx'>;

const addKnown = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/** Adds status class counts; a row without them (an older file) makes the sum unknown, not smaller. */
export function addStatusClasses(a: StatusClassCounts, b: StatusClassCounts): StatusClassCounts {
  return {
    status1xx: addKnown(a.status1xx, b.status1xx),
    status2xx: addKnown(a.status2xx, b.status2xx),
    status3xx: addKnown(a.status3xx, b.status3xx),
  };
}
