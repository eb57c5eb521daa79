import { EdgeMinutesAggregator, type EdgeMetricsRow } from '../../domain/edge-metrics.js';
import type { RawEdge } from '../../domain/raw-record.js';
import { unresolvedCallee } from '../../domain/request-vocabulary.js';

/** Bounds of one partition's service-map state (docs/adr/0085). */
export interface EdgeMatchLimits {
  /** SERVER spans remembered by (trace id, parent span id); past it later ones are not, and may stay unresolved. */
  maxServerParents: number;
  /** CLIENT spans without a callee held until the partition is read; past it they count as unresolved at once. */
  maxPendingEdges: number;
}

export const defaultEdgeMatchLimits: EdgeMatchLimits = {
  maxServerParents: 500_000,
  maxPendingEdges: 200_000,
};

export interface EdgeMatchStats {
  edges: number;
  duplicates: number;
  matched: number;
  unresolved: number;
}

/**
 * One partition's service-map edges (docs/adr/0085): dedupes CLIENT-span edges by event id, names each callee the
 * span did not name from the SERVER span of the same trace whose parent it is, and aggregates them per minute.
 * Matching is within the partition (one hour of event time, by the CLIENT span's start): a SERVER span stored in
 * another hour's partition is not seen, and its edge counts under `:unresolved`. The inputs are read in key
 * order, so the same inputs always give the same rows.
 */
export class EdgeMatcher {
  private readonly seen = new Set<string>();
  /** `<trace id><parent span id>` of SERVER spans -> their service. */
  private readonly servers = new Map<string, string>();
  /** `<trace id><span id>` of edges waiting for their SERVER span, in arrival order. */
  private readonly pending = new Map<string, RawEdge>();
  private readonly aggregator = new EdgeMinutesAggregator();
  readonly stats: EdgeMatchStats = { edges: 0, duplicates: 0, matched: 0, unresolved: 0 };

  constructor(private readonly limits: EdgeMatchLimits = defaultEdgeMatchLimits) {}

  /** A SERVER span's fact: `traceId` + `parentSpanId` (lowercase hex) name the CLIENT span that called it. */
  addServerParent(traceId: string, parentSpanId: string, service: string): void {
    const key = traceId + parentSpanId;
    if (this.servers.has(key) || this.servers.size >= this.limits.maxServerParents) return;
    this.servers.set(key, service);
  }

  addEdge(edge: RawEdge): void {
    if (this.seen.has(edge.event_id)) {
      this.stats.duplicates += 1;
      return;
    }
    this.seen.add(edge.event_id);
    this.stats.edges += 1;
    if (edge.callee !== undefined) return this.count(edge, edge.callee);
    const key = edge.trace_id + edge.span_id;
    const server = this.servers.get(key);
    if (server !== undefined) {
      this.stats.matched += 1;
      return this.count(edge, server);
    }
    if (this.pending.size >= this.limits.maxPendingEdges) {
      this.stats.unresolved += 1;
      return this.count(edge, unresolvedCallee);
    }
    this.pending.set(key, edge);
  }

  /** Names the pending callees (SERVER spans read after their CLIENT span) and returns the minute rows. */
  rows(): EdgeMetricsRow[] {
    for (const [key, edge] of this.pending) {
      const server = this.servers.get(key);
      if (server === undefined) this.stats.unresolved += 1;
      else this.stats.matched += 1;
      this.count(edge, server ?? unresolvedCallee);
    }
    this.pending.clear();
    return this.aggregator.rows();
  }

  private count(edge: RawEdge, callee: string): void {
    this.aggregator.add({
      ts: edge.ts,
      caller: edge.caller,
      callee,
      status_code: edge.status_code,
      latency_ms: edge.latency_ms,
      ...(edge.weight === undefined ? {} : { weight: edge.weight }),
    });
  }
}
