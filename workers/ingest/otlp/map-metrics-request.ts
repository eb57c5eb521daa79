import { createHash } from 'node:crypto';
import type { RawFact } from '../../domain/raw-record.js';
import type { ItemError } from '../domain/item-error.js';
import { parseRequestFact, type FactContext } from '../domain/parse-request-fact.js';
import { deadLetter } from '../domain/validate-batch.js';
import type { WalRecord } from '../wal/wal-record.js';
import type { CumulativeSeries } from './cumulative-series.js';
import type { BucketLatency } from './histogram-buckets.js';
import { readHistogramPoint, type HistogramPointBuckets } from './read-histogram-point.js';
import {
  applyPointSummary,
  readPointSummary,
  type PointSummary,
  type SummarizedBucket,
} from './point-summary.js';
import { attribute, firstInteger, firstString, own, readUint64, repeated } from './otlp-values.js';

/** A request whose shape is not an ExportMetricsServiceRequest (only reachable through OTLP/JSON). */
export class MalformedMetricsRequestError extends Error {
  readonly code = 'MALFORMED_BODY';
}

/** The one metric read (HTTP semantic conventions); every other metric is counted and skipped. */
export const durationMetric = 'http.server.request.duration';
const unitToMs: Record<string, number> = { s: 1000, ms: 1 };
const temporality = { delta: 1, cumulative: 2 } as const;

export interface MappedMetricsRequest {
  records: WalRecord[];
  /** Records written (one per non-empty bucket) and the requests they stand for. */
  accepted: number;
  requests: number;
  rejected: ItemError[];
  /** Data points of other metrics, or without an HTTP method. */
  skipped: number;
  dataPoints: number;
  /** Bucket layouts seen (their accuracy is stated in the answer). */
  layouts: Set<string>;
  /** Points counted whose interval is longer than a minute (all in the minute it ends; the answer says so). */
  longIntervals: number;
  /** Advances the cumulative series once the records are durable. */
  commit(): void;
}

interface PointContext {
  ctx: FactContext;
  series: CumulativeSeries;
  attributes: { resource: readonly unknown[] };
  toMs: number;
  cumulative: boolean;
}

const malformed = (what: string) =>
  new MalformedMetricsRequestError(`body is not an ExportMetricsServiceRequest: ${what} must be an array`);

function readTemporality(value: unknown): number {
  if (value === 'AGGREGATION_TEMPORALITY_DELTA') return temporality.delta;
  if (value === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return temporality.cumulative;
  return typeof value === 'number' ? value : 0;
}

type PointOutcome =
  | { facts: RawFact[]; requests: number; layout: string; longInterval: boolean; commit: () => void }
  | { error: ItemError; item: unknown }
  | 'skipped';

function seriesKey(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * The fact-shaped item of one bucket, validated like a posted fact (every rule, error and budget). Its idempotency
 * key names the interval by both ends: a cumulative series' first point may start in the millisecond it was
 * collected in, and the next point's interval then starts where the first one's did.
 */
function bucketItem(
  base: Record<string, unknown>,
  key: string,
  interval: { since: bigint; time: bigint },
  b: BucketLatency,
) {
  const id = `m-${key}-${interval.since}-${interval.time}-${b.index}`;
  return { ...base, event_id: id, latency_ms: b.latencyMs };
}

/** The bucket's record: the validated fact with its exact count and what the point knows of its latencies. */
function bucketFact(fact: RawFact, b: SummarizedBucket): RawFact {
  return {
    ...fact,
    count: b.count,
    ...(b.sumMs !== undefined && { latency_sum_ms: b.sumMs }),
    ...(b.minMs !== undefined && { latency_min_ms: b.minMs }),
    ...(b.maxMs !== undefined && { latency_max_ms: b.maxMs }),
  };
}

const minuteNs = 60_000_000_000n;

interface PointFields {
  attributes: readonly unknown[];
  start: bigint;
  time: bigint | undefined;
  /** The fact-shaped item every bucket's record is validated from (and a dead letter keeps). */
  base: Record<string, unknown>;
}

/** The fact fields a resource gives every point of it. */
function resourceFields(resource: readonly unknown[]) {
  return {
    service: firstString(resource, ['service.name'])?.value,
    env: firstString(resource, ['deployment.environment.name', 'deployment.environment'])?.value,
    version: firstString(resource, ['service.version'])?.value,
  };
}

function readPointFields(point: unknown, method: string, resource: readonly unknown[]): PointFields {
  const attributes = repeated(point, 'attributes') ?? [];
  const time = readUint64(own(point, 'timeUnixNano'));
  const status = firstInteger(attributes, ['http.response.status_code']);
  const base: Record<string, unknown> = {
    // The requests ended by the point's time: they land in the minute it closes.
    timestamp: time === undefined || time === 0n ? undefined : Number((time - 1n) / 1_000_000n),

    method: method === '_OTHER' ? method : method.toUpperCase(),
    path: firstString(attributes, ['http.route'])?.value ?? '/',
    status_code: status?.value ?? (firstString(attributes, ['error.type']) ? 500 : 200),
    ...resourceFields(resource),
  };
  return { attributes, start: readUint64(own(point, 'startTimeUnixNano')) ?? 0n, time, base };
}

/** A series is its resource's service and the point's whole attribute set, whatever order it was sent in. */
function seriesOf(f: PointFields, tenant: string, exponential: boolean): string {
  const pairs = f.attributes.map((kv) => [own(kv, 'key'), attribute(f.attributes, String(own(kv, 'key')))]);
  return seriesKey([tenant, f.base['service'], f.base['env'], f.base['version'], pairs.sort(), exponential]);
}

/** The buckets to write: all of a delta point, a cumulative point's difference from its series' previous one. */
function bucketsToWrite(
  f: PointFields & { time: bigint },
  key: string,
  buckets: HistogramPointBuckets,
  p: PointContext,
  summary: PointSummary,
) {
  if (!p.cumulative) {
    const latencies = applyPointSummary(buckets.latencies, summary);
    return { latencies, since: f.start, commit: () => {} };
  }
  const counts = new Map(buckets.latencies.map((b) => [b.index, b.count]));
  const observed = { startNs: f.start, timeNs: f.time, scale: buckets.scale, counts };
  const sum = summary.sumMs;
  const delta = p.series.observe(key, { ...observed, ...(sum !== undefined && { sum }) });
  const latencies = buckets.latencies.flatMap((b) => {
    const n = delta.counts.get(b.index) ?? 0;
    return n > 0 ? [{ ...b, count: n }] : [];
  });
  // A cumulative point's min and max cover the series' whole life, not the requests since the previous point.
  const deltaSum = delta.sum === undefined ? {} : { sumMs: delta.sum };
  return { latencies: applyPointSummary(latencies, deltaSum), since: delta.sinceNs, commit: delta.commit };
}

function mapPoint(point: unknown, index: number, exponential: boolean, p: PointContext): PointOutcome {
  const method = firstString(repeated(point, 'attributes') ?? [], ['http.request.method']);
  if (!method) return 'skipped';
  const f = readPointFields(point, method.value, p.attributes.resource);
  const buckets = readHistogramPoint(point, exponential, p.toMs);
  const reject = (field: string, message: string): PointOutcome => ({
    error: { index, code: 'INVALID_VALUE' as const, field, message },
    item: f.base,
  });
  if (buckets.problem) return reject(exponential ? 'positive' : 'bucketCounts', buckets.problem);
  if (f.time === undefined || f.time === 0n) return reject('timeUnixNano', 'timeUnixNano is required');
  const { summary, problem } = readPointSummary(point, p.toMs);
  if (problem) return reject(problem.field, problem.message);
  const key = seriesOf(f, p.ctx.tenant, exponential);
  const { latencies, since, commit } = bucketsToWrite({ ...f, time: f.time }, key, buckets, p, summary);
  const facts: RawFact[] = [];
  for (const b of latencies) {
    const parsed = parseRequestFact(bucketItem(f.base, key, { since, time: f.time }, b), index, p.ctx);
    if (!parsed.ok) return { error: parsed.error, item: f.base };
    facts.push(bucketFact(parsed.value, b));
  }
  const requests = latencies.reduce((n, b) => n + b.count, 0);
  const longInterval = since > 0n && f.time - since > minuteNs && requests > 0;
  return { facts, requests, layout: buckets.layout, longInterval, commit };
}

type PointEntry =
  | { point: unknown; exponential: boolean; resource: readonly unknown[]; unit: string; temporality: number }
  | 'other';

/** One metric's data points: the duration metric's with what they need, any other's as 'other'. */
function* metricPoints(metric: unknown, resource: readonly unknown[]): Generator<PointEntry> {
  const exponential = own(metric, 'exponentialHistogram') !== undefined;
  const data = own(metric, exponential ? 'exponentialHistogram' : 'histogram');
  const points = repeated(data, 'dataPoints') ?? [];
  if (own(metric, 'name') !== durationMetric || data === undefined) {
    for (const _ of points.length > 0 ? points : [0]) yield 'other';
    return;
  }
  const unit = String(own(metric, 'unit') ?? 's');
  const t = readTemporality(own(data, 'aggregationTemporality'));
  for (const point of points) yield { point, exponential, resource, unit, temporality: t };
}

/** Every metric with its resource's attributes, in order; throws on a shape that is not a request. */
function* metricsOf(request: unknown): Generator<{ metric: unknown; resource: readonly unknown[] }> {
  const resourceMetricsList = repeated(request, 'resourceMetrics');
  if (!resourceMetricsList) throw malformed('resourceMetrics');
  for (const rm of resourceMetricsList) {
    const resource = repeated(own(rm, 'resource'), 'attributes') ?? [];
    const scopes = repeated(rm, 'scopeMetrics');
    if (!scopes) throw malformed('resourceMetrics[].scopeMetrics');
    for (const scope of scopes) {
      const metrics = repeated(scope, 'metrics');
      if (!metrics) throw malformed('scopeMetrics[].metrics');
      for (const metric of metrics) yield { metric, resource };
    }
  }
}

function* pointsOf(request: unknown): Generator<PointEntry> {
  for (const { metric, resource } of metricsOf(request)) yield* metricPoints(metric, resource);
}

/**
 * Maps the `http.server.request.duration` histograms of an ExportMetricsServiceRequest (decoded protobuf or
 * OTLP/JSON) to WAL records: one request fact per non-empty bucket, `count` its requests, at the bucket's
 * representative latency (histogram-buckets.ts); cumulative points through their series' previous point.
 */
export function mapMetricsRequest(
  request: unknown,
  ctx: FactContext,
  now: number,
  series: CumulativeSeries,
): MappedMetricsRequest {
  const facts: WalRecord[] = [];
  const deadLetters: WalRecord[] = [];
  const rejected: ItemError[] = [];
  const commits: (() => void)[] = [];
  const layouts = new Set<string>();
  let skipped = 0;
  let requests = 0;
  let longIntervals = 0;
  let index = 0;
  for (const entry of pointsOf(request)) {
    const i = index++;
    if (entry === 'other') {
      skipped += 1;
      continue;
    }
    const toMs = unitToMs[entry.unit];
    const fail = (field: string, message: string) => {
      const error = { index: i, code: 'INVALID_VALUE' as const, field, message };
      rejected.push(error);
      deadLetters.push(deadLetter(ctx.tenant, now, error, {}));
    };
    if (toMs === undefined) {
      fail('unit', `unit '${entry.unit}' is not a duration unit Gravix reads (s or ms)`);
      continue;
    }
    if (entry.temporality !== temporality.delta && entry.temporality !== temporality.cumulative) {
      fail('aggregationTemporality', 'aggregationTemporality must be DELTA or CUMULATIVE');
      continue;
    }
    const cumulative = entry.temporality === temporality.cumulative;
    const outcome = mapPoint(entry.point, i, entry.exponential, {
      ctx,
      series,
      attributes: { resource: entry.resource },
      toMs,
      cumulative,
    });
    if (outcome === 'skipped') skipped += 1;
    else if ('facts' in outcome) {
      facts.push(...outcome.facts);
      requests += outcome.requests;
      layouts.add(outcome.layout);
      if (outcome.longInterval) longIntervals += 1;
      commits.push(outcome.commit);
    } else {
      rejected.push(outcome.error);
      deadLetters.push(deadLetter(ctx.tenant, now, outcome.error, outcome.item));
    }
  }
  return {
    records: [...deadLetters, ...facts],
    accepted: facts.length,
    requests,
    rejected,
    skipped,
    dataPoints: index,
    layouts,
    longIntervals,
    commit: () => commits.forEach((c) => c()),
  };
}

/**
 * The notes an answer carries besides refusals: each bucket layout's accuracy, and (docs/adr/0096) that points whose
 * interval is longer than a minute count in the minute it ends: a point does not say when within it its requests
 * came, so Gravix does not spread them.
 */
export function describeMetricsNotes(
  mapped: Pick<MappedMetricsRequest, 'layouts' | 'longIntervals'>,
): string {
  const notes = [...mapped.layouts];
  if (mapped.longIntervals > 0) {
    const n = mapped.longIntervals;
    notes.push(
      `${n} data point${n === 1 ? '' : 's'} cover${n === 1 ? 's' : ''} more than a minute: all ${n === 1 ? 'its' : 'their'} requests count in the minute the interval ends`,
    );
  }
  return notes.join('; ');
}

/** How many records a request can write at most (non-empty buckets of the duration metric): the item rate's charge. */
export function countMetricBuckets(request: unknown): number {
  let n = 0;
  try {
    for (const entry of pointsOf(request)) {
      if (entry === 'other') continue;
      const buckets = entry.exponential
        ? repeated(own(entry.point, 'positive'), 'bucketCounts')
        : repeated(entry.point, 'bucketCounts');
      n += (buckets?.length ?? 0) + 1;
    }
  } catch (error) {
    if (!(error instanceof MalformedMetricsRequestError)) throw error;
  }
  return n;
}
