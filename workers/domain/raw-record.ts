/**
 * The raw layer's line format: one JSON object per line in
 * raw/tenant=T/date=YYYY-MM-DD/hour=HH/<ingester>-<seq>-<segment id>.jsonl.gz (raw-partition.ts), written by the
 * ingestion worker after validation and path normalisation, read by the rollup.
 * A partition holds the records whose *event time* falls in that hour, so late
 * data lands in (and recomputes) the partition it belongs to.
 */
export interface RawFact {
  kind: 'fact';
  tenant: string;
  event_id: string;
  /** Event time, ms since epoch (UTC). */
  ts: number;
  service: string;
  method: string;
  /** Low-cardinality route template (ids folded to :id, overflow folded to the overflow route). */
  path: string;
  status_code: number;
  latency_ms: number;
  env?: string;
  version?: string;
  trace_id?: string;
  /** The OpenTelemetry span this fact came from (OTLP ingestion), 16 hex digits. */
  span_id?: string;
  /**
   * The parent span of an OTLP SERVER span, 16 hex digits: a CLIENT span's edge record whose callee its exporter
   * did not name is matched to the SERVER span whose parent it is, in the rollup (docs/adr/0085).
   */
  parent_span_id?: string;
  /**
   * How many requests this fact stands for when it was sampled (the span's adjusted count, e.g. 4 for a 25% head
   * sample); absent means 1, so raw files written before weights existed read as they always did. The rollup adds
   * it to requests, error counts and histogram buckets (docs/adr/0072).
   */
  weight?: number;
  /**
   * How many requests this record stands for, exactly: an OTLP metrics histogram bucket becomes one record per
   * non-empty bucket (docs/adr/0082). Absent means 1. Unlike `weight` the count is not an estimate; the latency is
   * the bucket's representative value, so only the percentiles are approximate (by the bucket layout).
   */
  count?: number;
  /**
   * What an OTLP metrics point knows of its requests beyond their buckets (docs/adr/0096): the exact latency sum of
   * this record's `count` requests (the point's `sum`, shared among its buckets in proportion to their latency) and
   * the point's `min` / `max` on the records of its lowest / highest bucket. Absent: `count` × `latency_ms`, and
   * `latency_ms` itself.
   */
  latency_sum_ms?: number;
  latency_min_ms?: number;
  latency_max_ms?: number;
}

export interface RawServiceEvent {
  kind: 'event';
  tenant: string;
  /** Client-supplied or derived from the event's content, so retries stay idempotent. */
  event_id: string;
  ts: number;
  type: ServiceEventType;
  service: string;
  version?: string;
  description?: string;
}

export const serviceEventTypes = ['deploy', 'rollback', 'incident', 'config_change'] as const;
export type ServiceEventType = (typeof serviceEventTypes)[number];

/**
 * One call from a service to another, from an OTLP CLIENT span (docs/adr/0085): the service map's raw record.
 * `callee` is what the span named (`peer.service`, else `server.address`[:`server.port`]); absent, the rollup
 * names it from the SERVER span of the same trace whose parent is this span (`trace_id` + `span_id`), else
 * `:unresolved` (request-vocabulary.ts). Status and latency follow the facts' rules; `weight` is a sampled span's
 * adjusted count as on facts. Raw files written before edges existed simply hold none.
 */
export interface RawEdge {
  kind: 'edge';
  tenant: string;
  /** `<trace id>-<span id>` of the CLIENT span: an exporter's retry is counted once. */
  event_id: string;
  /** The CLIENT span's start, ms since epoch (UTC): the partition and minute the call counts in. */
  ts: number;
  caller: string;
  callee?: string;
  status_code: number;
  latency_ms: number;
  trace_id: string;
  span_id: string;
  weight?: number;
}

export type RawRecord = RawFact | RawServiceEvent | RawEdge;

/** Tenants appear in object keys and must stay key-safe. */
export const tenantIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
