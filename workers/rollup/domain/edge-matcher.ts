import { EdgeMinutesAggregator, type EdgeMetricsRow } from '../../domain/edge-metrics.js';
import type { RawEdge } from '../../domain/raw-record.js';
import { unresolvedCallee } from '../../domain/request-vocabulary.js';
import { edgeCarryWindowMs, type EdgeCarry } from './edge-carry.js';

const hourMs = 3_600_000;
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Bounds of one partition's service-map state (docs/adr/0085, measured in docs/adr/0096). */
export interface EdgeMatchLimits {
  /** SERVER spans remembered by (trace id, parent span id); past it later ones are not, and may stay unresolved. */
  maxServerParents: number;
  /** CLIENT spans without a callee held until the partition is read; past it they count as unresolved at once. */
  maxPendingEdges: number;
  /** SERVER spans without a CLIENT span in their hour handed to the previous hour (the carry's heads). */
  maxCarriedHeads: number;
  /** Unmatched edges of the hour's last minutes handed to the next hour (the carry's waiting list). */
  maxCarriedWaiting: number;
  /** Orphan SERVER spans of the hour's last minutes handed to the next hour (the carry's tails, docs/adr/0128). */
  maxCarriedTails: number;
  /** Unmatched edges of the hour's first minutes the previous hour's tails may name (the carry's early list). */
  maxCarriedEarly: number;
}

export const defaultEdgeMatchLimits: EdgeMatchLimits = {
  maxServerParents: 500_000,
  maxPendingEdges: 200_000,
  maxCarriedHeads: 100_000,
  maxCarriedWaiting: 50_000,
  maxCarriedTails: 50_000,
  maxCarriedEarly: 50_000,
};

/** The neighbour hours' carried SERVER spans a partition's unmatched edges are named from (docs/adr/0096, 0128). */
export interface NeighbourServers {
  /** The next hour's heads. */
  next?: ReadonlyMap<string, string> | undefined;
  /** The previous hour's tails. */
  prev?: ReadonlyMap<string, string> | undefined;
}

export interface EdgeMatchStats {
  edges: number;
  duplicates: number;
  matched: number;
  unresolved: number;
  /** Unmatched edges near the hour's end handed to the next hour (the carry's waiting list). */
  waiting: number;
  /** Of those, the ones the next hour's SERVER spans named (counted in `matched` too). */
  next_matched: number;
  /** Unmatched edges near the hour's start the previous hour's tails may name (the carry's early list). */
  early: number;
  /** Of those, the ones the previous hour's tails named and the next hour's heads did not (in `matched` too). */
  prev_matched: number;
}

/**
 * One partition's service-map edges (docs/adr/0085): dedupes CLIENT-span edges by event id, names each callee the
 * span did not name from the SERVER span of the same trace whose parent it is, and aggregates them per minute.
 * Matching is within the partition (one hour of event time, by the CLIENT span's start), across the next hour
 * boundary through the next partition's carried heads (docs/adr/0096: a call that ends near its hour's end may
 * have its SERVER span in the next hour) and across the previous one through the previous partition's tails
 * (docs/adr/0128: a server clock behind the client's stamps a call that starts just after the boundary before it).
 * The inputs are read in key order, so the same inputs (and neighbours) always give the same rows; the carry
 * depends on the inputs alone.
 */
export class EdgeMatcher {
  private readonly seen = new Set<string>();
  /** `<trace id><parent span id>` of SERVER spans -> their service. */
  private readonly servers = new Map<string, string>();
  /** The same keys -> the SERVER span's start, to hand the earliest orphans on first (the carry's heads). */
  private readonly serverStarts = new Map<string, number>();
  /** `<trace id><span id>` of this hour's CLIENT spans: a SERVER span whose parent is one is no orphan. */
  private readonly clientKeys = new Set<string>();
  /** `<trace id><span id>` of edges waiting for their SERVER span, in arrival order. */
  private readonly pending = new Map<string, RawEdge>();
  private readonly waiting: string[] = [];
  private readonly early: string[] = [];
  private readonly aggregator = new EdgeMinutesAggregator();
  readonly stats: EdgeMatchStats = {
    edges: 0,
    duplicates: 0,
    matched: 0,
    unresolved: 0,
    waiting: 0,
    next_matched: 0,
    early: 0,
    prev_matched: 0,
  };

  constructor(
    private readonly startMs: number,
    private readonly limits: EdgeMatchLimits = defaultEdgeMatchLimits,
  ) {}

  /**
   * A SERVER span's fact: `traceId` + `parentSpanId` (lowercase hex) name the CLIENT span that called it; `ts` is
   * its start (the earliest orphans are carried to the previous hour).
   */
  addServerParent(traceId: string, parentSpanId: string, service: string, ts: number): void {
    const key = traceId + parentSpanId;
    if (this.servers.has(key) || this.servers.size >= this.limits.maxServerParents) return;
    this.servers.set(key, service);
    this.serverStarts.set(key, ts);
  }

  addEdge(edge: RawEdge): void {
    if (this.seen.has(edge.event_id)) {
      this.stats.duplicates += 1;
      return;
    }
    this.seen.add(edge.event_id);
    this.stats.edges += 1;
    const key = edge.trace_id + edge.span_id;
    // Bounded like the SERVER spans: past it a SERVER span may be carried as an orphan it is not (a head that
    // names nothing), never the other way round.
    if (this.clientKeys.size < this.limits.maxServerParents) this.clientKeys.add(key);
    if (edge.callee !== undefined) return this.count(edge, edge.callee);
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

  /**
   * Names the pending callees (SERVER spans read after their CLIENT span, else the next hour's heads for a call
   * that ends near this hour's end, else the previous hour's tails for one that starts near its start) and returns
   * the minute rows.
   */
  rows(neighbours: NeighbourServers = {}): EdgeMetricsRow[] {
    for (const [key, edge] of this.pending) {
      const callee = this.servers.get(key) ?? this.fromNeighbours(key, edge, neighbours);
      if (callee === undefined) this.stats.unresolved += 1;
      else this.stats.matched += 1;
      this.count(edge, callee ?? unresolvedCallee);
    }
    this.pending.clear();
    return this.aggregator.rows();
  }

  /**
   * A call near a boundary is carried to that side (within the carry bounds) whether or not the neighbour names
   * it, so the carry depends on this hour's inputs alone; the next hour is asked first.
   */
  private fromNeighbours(key: string, edge: RawEdge, neighbours: NeighbourServers): string | undefined {
    const next = this.fromNextHour(key, edge, neighbours.next);
    const prev = this.fromPrevHour(key, edge, neighbours.prev);
    if (next === undefined && prev !== undefined) this.stats.prev_matched += 1;
    return next ?? prev;
  }

  /** A call that ends near (or after) the hour's end waits for the next hour's heads, within the carry bound. */
  private fromNextHour(
    key: string,
    edge: RawEdge,
    nextHeads: ReadonlyMap<string, string> | undefined,
  ): string | undefined {
    const carriedFrom = this.startMs + hourMs - edgeCarryWindowMs;
    if (edge.ts + edge.latency_ms < carriedFrom || this.waiting.length >= this.limits.maxCarriedWaiting)
      return undefined;
    this.waiting.push(key);
    this.stats.waiting += 1;
    const callee = nextHeads?.get(key);
    if (callee !== undefined) this.stats.next_matched += 1;
    return callee;
  }

  /** A call that starts in the hour's first minutes is offered to the previous hour's tails, within the bound. */
  private fromPrevHour(
    key: string,
    edge: RawEdge,
    prevTails: ReadonlyMap<string, string> | undefined,
  ): string | undefined {
    if (edge.ts >= this.startMs + edgeCarryWindowMs || this.early.length >= this.limits.maxCarriedEarly)
      return undefined;
    this.early.push(key);
    this.stats.early += 1;
    return prevTails?.get(key);
  }

  /** What this hour hands across its boundaries; call after rows() (the waiting and early lists are made there). */
  carry(): EdgeCarry {
    const { heads, tails } = this.orphans();
    return { heads, waiting: [...this.waiting].sort(byKey), tails, early: [...this.early].sort(byKey) };
  }

  /**
   * The SERVER spans whose parent is no CLIENT span of this hour: the only ones a neighbour hour's calls can be
   * named from. `heads` (docs/adr/0111): wherever in the hour they start (a call queued or retried for minutes, a
   * server clock behind the client's), the earliest kept past the bound: the nearer the boundary, the likelier
   * their CLIENT span is in the previous hour rather than never exported. `tails` (docs/adr/0128): those of the
   * hour's last minutes, the latest kept past the bound, for the same reason at the other boundary.
   */
  private orphans(): { heads: [string, string][]; tails: [string, string][] } {
    const heads: [string, number][] = [];
    const tails: [string, number][] = [];
    const tailsFrom = this.startMs + hourMs - edgeCarryWindowMs;
    for (const [key, ts] of this.serverStarts) {
      if (this.clientKeys.has(key)) continue;
      heads.push([key, ts]);
      if (ts >= tailsFrom) tails.push([key, ts]);
    }
    if (heads.length > this.limits.maxCarriedHeads) {
      heads.sort((a, b) => a[1] - b[1] || byKey(a[0], b[0]));
      heads.length = this.limits.maxCarriedHeads;
    }
    if (tails.length > this.limits.maxCarriedTails) {
      tails.sort((a, b) => b[1] - a[1] || byKey(a[0], b[0]));
      tails.length = this.limits.maxCarriedTails;
    }
    return { heads: this.withServices(heads), tails: this.withServices(tails) };
  }

  private withServices(orphans: [string, number][]): [string, string][] {
    return orphans
      .map(([key]): [string, string] => [key, this.servers.get(key)!])
      .sort((a, b) => byKey(a[0], b[0]));
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
