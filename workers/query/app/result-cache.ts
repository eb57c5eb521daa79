import type { CommittedEtags } from '../domain/closed-range.js';
import { buildClosedRangeKey, splitClosedRange } from '../domain/closed-range.js';
import type { TimeRange } from '../domain/plan-metrics-scan.js';
import {
  applyTop,
  mergeCountRows,
  mergeHistogramRows,
  summarizeHistogram,
} from '../domain/merge-summaries.js';
import { mergeExemplarRows } from '../domain/exemplar-order.js';
import type {
  CountRow,
  EventRow,
  EventsQuery,
  ExemplarRow,
  ExemplarsQuery,
  HistogramRow,
  MetricsQuery,
  QueryEngine,
  SummaryRow,
} from './query-engine.js';

/** The longest a closed range's load waits for the requests in flight to finish before it starts anyway. */
const loadDeferMaxMs = 1000;

export interface ResultCacheOptions {
  /** Bound of the cached aggregates (estimated bytes); the least recently used go first. */
  maxBytes: number;
  now?: () => number;
}

export interface ResultCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

type Rows = CountRow[] | SummaryRow[] | HistogramRow[] | ExemplarRow[];

/** Rough heap size of cached rows: enough to bound the cache, cheap to compute. */
function estimateBytes(rows: Rows): number {
  let bytes = 0;
  for (const row of rows) {
    bytes += 160 + ('bucketIndex' in row ? row.bucketIndex.length * 16 : 0);
  }
  return bytes;
}

/**
 * The query engine behind a result cache for closed time ranges (docs/adr/0066). Committed minutes only change
 * through a new commit, so a closed range's aggregates are kept under the etags of the manifests and day tiles
 * covering it (domain/closed-range.ts) and only the open hour goes to the engine: refreshing a 7-day view asks
 * the engine for one hour. Counts add up and histograms merge, so the two parts are combined, ranked and cut
 * exactly as one statement would (domain/merge-summaries.ts).
 */
export class ResultCachingEngine implements QueryEngine {
  private readonly entries = new Map<string, { rows: Rows; bytes: number }>();
  /** Closed ranges being loaded (or waiting to) after a table answered whole (mergedOrWhole), by key. */
  private readonly loading = new Map<string, { rows: Promise<Rows | undefined>; start: () => void }>();
  /** Calls answering a request right now: loads wait until there are none, so they never slow a request down. */
  private requests = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private readonly now: () => number;

  constructor(
    private readonly engine: QueryEngine,
    private readonly commits: { committed(tenant: string): Promise<CommittedEtags> },
    private readonly options: ResultCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get prefersOneStatement(): boolean {
    return this.engine.prefersOneStatement ?? false;
  }

  stats(): ResultCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }

  counts(query: MetricsQuery): Promise<CountRow[]> {
    return this.forRequest(() => this.countsNow(query));
  }

  summaries(query: MetricsQuery): Promise<SummaryRow[]> {
    return this.forRequest(() => this.summariesNow(query));
  }

  histograms(query: MetricsQuery): Promise<HistogramRow[]> {
    return this.forRequest(() => this.histogramsNow(query));
  }

  exemplars(query: ExemplarsQuery): Promise<ExemplarRow[]> {
    return this.forRequest(() => this.exemplarsNow(query));
  }

  private async countsNow(query: MetricsQuery): Promise<CountRow[]> {
    const { closed, open } = this.split(query);
    if (!closed) return this.engine.counts(query);
    return this.mergedOrWhole(query, closed, open, {
      kind: 'counts',
      groups: (q) => this.engine.counts(q),
      answerWhole: (q) => this.engine.counts(q),
      merge: (done, fresh) => applyTop(mergeCountRows(done, fresh), query),
    });
  }

  private async summariesNow(query: MetricsQuery): Promise<SummaryRow[]> {
    const { closed, open } = this.split(query);
    // A ranked step series is not something the service asks for; it goes to the engine whole.
    if (!closed || (query.groupBy === 'step' && query.top)) return this.engine.summaries(query);
    if (query.groupBy === 'step') {
      // The split falls on a step boundary: the parts hold different steps and simply follow each other.
      const [done, fresh] = await Promise.all([
        this.cached('summaries', query, closed, () => this.engine.summaries({ ...query, ...closed })),
        open ? this.engine.summaries({ ...query, ...open }) : [],
      ]);
      return [...done, ...fresh];
    }
    // Ranking by p95 merges every group's histogram here, the open hour's included. Where a statement costs less
    // than that merge (DuckDB: the whole week in ~126 ms, the open hour's 1,000 histograms fetched and merged with
    // the kept ones in ~167 ms), the engine answers the whole range (docs/adr/0148).
    if (query.top?.by === 'p95' && !this.prefersOneStatement) return this.engine.summaries(query);
    return this.mergedOrWhole(query, closed, open, {
      kind: 'histograms',
      groups: (q) => this.engine.histograms(q),
      answerWhole: (q) => this.engine.summaries(q),
      merge: (done, fresh) => {
        const rows = mergeHistogramRows(done, fresh).map(summarizeHistogram);
        return applyTop(rows, query).map(({ p95Index: _, ...row }) => row);
      },
    });
  }

  /** Step histograms (the latency heatmap) are cached like step summaries; other groupings go to the engine. */
  private async histogramsNow(query: MetricsQuery): Promise<HistogramRow[]> {
    const { closed, open } = this.split(query);
    if (!closed || query.groupBy !== 'step' || query.top) return this.engine.histograms(query);
    const [done, fresh] = await Promise.all([
      this.cached('histograms', query, closed, () => this.engine.histograms({ ...query, ...closed })),
      open ? this.engine.histograms({ ...query, ...open }) : [],
    ]);
    return [...done, ...fresh];
  }

  events(query: EventsQuery): Promise<EventRow[]> {
    return this.engine.events(query);
  }

  /**
   * A closed range's first `limit` exemplars are kept like its aggregates (under the etags covering it); the open
   * hour's are asked for, and the two lists merged in the kind's order: each holds its own first `limit`, so the
   * merge is the whole range's first `limit`.
   */
  private async exemplarsNow(query: ExemplarsQuery): Promise<ExemplarRow[]> {
    const { closed, open } = this.split({ ...query, groupBy: 'endpoint' });
    if (!closed) return this.engine.exemplars(query);
    const shape = { ...query, groupBy: 'endpoint' as const };
    const [done, fresh] = await Promise.all([
      this.cached(`exemplars:${query.kind}:${query.limit}`, shape, closed, () =>
        this.engine.exemplars({ ...query, ...closed }),
      ),
      open ? this.engine.exemplars({ ...query, ...open }) : [],
    ]);
    return mergeExemplarRows(query.kind, [done, fresh], query.limit);
  }

  lastMetricMinute(tenant: string, now: number, lookbackMs: number, signal?: AbortSignal) {
    return this.engine.lastMetricMinute(tenant, now, lookbackMs, signal);
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.engine.ping(signal);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  /**
   * A table's answer (its groups ranked and cut) over a range with a closed part. Kept, or being loaded: the closed
   * part's groups merged with the open hour's, one small statement. Not kept (a first view, a new hour, a commit into
   * the range): the engine answers the whole range as it would without the cache (one statement that ranks and cuts
   * and returns a page of rows), and only then the closed part's groups are loaded for the refreshes that follow,
   * off the request's path and without its signal. Loading them first made a first view wait for every group's
   * histogram to leave the engine and be merged here: an endpoint table sorted by p95 took twice as long as
   * the engine alone (docs/adr/0148).
   */
  private async mergedOrWhole<T extends CountRow[] | HistogramRow[], R>(
    query: MetricsQuery,
    closed: TimeRange,
    open: TimeRange | undefined,
    table: {
      kind: string;
      /** Every group of a range, unranked and uncut: what is kept and merged. */
      groups: (query: MetricsQuery) => Promise<T>;
      /** The engine's own answer to the query (ranked and cut). */
      answerWhole: (query: MetricsQuery) => Promise<R>;
      merge: (done: T, fresh: T) => R;
    },
  ): Promise<R> {
    const whole = { ...query, top: undefined };
    const part = (range: TimeRange, signal: AbortSignal | undefined) =>
      table.groups({ ...whole, ...range, signal });
    const key = buildClosedRangeKey(table.kind, whole, closed, await this.commits.committed(query.tenant));
    const kept = this.lookup(key) ?? this.joinLoad(key);
    if (kept) {
      const [done, fresh] = await Promise.all([kept, open ? part(open, whole.signal) : ([] as unknown as T)]);
      if (done) return table.merge(done as T, fresh);
      // The load this request waited for failed: answer whole, as a first view does.
    }
    this.misses += 1;
    const answer = await table.answerWhole(query);
    this.loadLater(key, () => part(closed, undefined));
    return answer;
  }

  /** The rows kept under a key (most recently used from now on), or undefined. */
  private lookup(key: string): Rows | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.hits += 1;
    // Most recently used last: Map iteration order is the eviction order.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.rows;
  }

  /** A load under way or waiting for the requests to finish: this request needs it, so it starts now. */
  private joinLoad(key: string): Promise<Rows | undefined> | undefined {
    const load = this.loading.get(key);
    load?.start();
    return load?.rows;
  }

  /**
   * Loads and keeps a closed range's rows once, whoever asks meanwhile waiting for the same load. The load starts
   * once no call of this cache is answering a request (a table's next statement in the same request, e.g. the
   * endpoint page's histograms after its counts, must not share the engine with it), after loadDeferMaxMs at the
   * latest, or as soon as a request needs it. A failed load keeps nothing and resolves to undefined: the next
   * request answers whole and loads again.
   */
  private loadLater(key: string, load: () => Promise<Rows>): void {
    if (this.loading.has(key)) return;
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const timer = setTimeout(() => start(), loadDeferMaxMs);
    timer.unref();
    const rows = started
      .then(() => {
        clearTimeout(timer);
        return load();
      })
      .then(
        (loaded) => {
          this.store(key, loaded);
          return loaded;
        },
        () => undefined,
      );
    this.loading.set(key, { rows, start });
    void rows.finally(() => this.loading.delete(key));
  }

  /** Runs a call for a request, counted, and starts the waiting loads once no call is left (docs/adr/0148). */
  private async forRequest<T>(call: () => Promise<T>): Promise<T> {
    this.requests += 1;
    try {
      return await call();
    } finally {
      this.requests -= 1;
      // The caller's next call, if any, starts in the continuation of this one: look after it has had its turn.
      if (this.requests === 0) setImmediate(() => this.startWaitingLoads());
    }
  }

  private startWaitingLoads(): void {
    if (this.requests > 0) return;
    for (const load of this.loading.values()) load.start();
  }

  /** Resolves once every closed range being loaded is kept (or failed): tests and benches, which then refresh. */
  async settled(): Promise<void> {
    while (this.loading.size > 0) {
      const loads = [...this.loading.values()];
      for (const load of loads) load.start();
      await Promise.all(loads.map((load) => load.rows));
    }
  }

  private split(query: MetricsQuery) {
    return this.options.maxBytes > 0 ? splitClosedRange(query, this.now()) : { open: query };
  }

  private async cached<T extends Rows>(
    kind: string,
    query: MetricsQuery,
    range: TimeRange,
    load: () => Promise<T>,
  ): Promise<T> {
    const key = buildClosedRangeKey(kind, query, range, await this.commits.committed(query.tenant));
    const hit = this.lookup(key);
    if (hit) return hit as T;
    this.misses += 1;
    const rows = await load();
    this.store(key, rows);
    return rows;
  }

  private store(key: string, rows: Rows): void {
    const bytes = estimateBytes(rows);
    if (bytes > this.options.maxBytes) return;
    const replaced = this.entries.get(key);
    if (replaced) {
      this.entries.delete(key);
      this.bytes -= replaced.bytes;
    }
    this.entries.set(key, { rows, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
