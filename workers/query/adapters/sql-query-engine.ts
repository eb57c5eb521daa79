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
} from '../app/query-engine.js';
import {
  buildCountsSql,
  buildEventsSql,
  buildLastMinuteSql,
  buildSummarySql,
  scansNothing,
  type SqlDialect,
} from './metrics-sql.js';
import type { TenantSnapshot } from '../domain/tenant-snapshot.js';
import type { SqlStatement } from './sql-statement.js';
import { buildHistogramsSql } from './histograms-sql.js';
import { buildExemplarsSql, toExemplarRow } from './exemplars-sql.js';
import { toCountRow, toEventRow, toHistogramRow, toNumber, toSummaryRow } from './metrics-rows.js';
import { applyTop, summarizeHistogram } from '../domain/merge-summaries.js';

/**
 * The QueryEngine operations, written once over the shared SQL builder; an adapter supplies its dialect and how
 * to run a statement (`rows`).
 */
export abstract class SqlQueryEngine implements QueryEngine {
  /** Not readonly: an adapter may change how it writes statements while it runs (`fellBack`). */
  protected constructor(protected dialect: SqlDialect) {}

  /**
   * Whether the adapter answered a failed metrics statement by changing its dialect, so the statement built again
   * may succeed (Trino without Gravix's function any more: docs/adr/0146). None by default.
   */
  protected fellBack(_error: unknown): boolean {
    return false;
  }

  /** Runs a statement with its parameters bound by the engine (never spliced into the text). */
  protected abstract rows(statement: SqlStatement, signal?: AbortSignal): Promise<Record<string, unknown>[]>;

  abstract ping(signal?: AbortSignal): Promise<void>;

  /** Which tables and day tiles the tenant has, as this engine can read them (cached by the adapter). */
  protected abstract snapshot(tenant: string): Promise<TenantSnapshot>;

  abstract close(): Promise<void>;

  /** Only endpoint tables read day tiles (charts are step series; service lists read service tables). */
  private async snapshotFor(query: MetricsQuery): Promise<TenantSnapshot> {
    const snapshot = await this.snapshot(query.tenant);
    return query.groupBy === 'endpoint' ? snapshot : { ...snapshot, dayTiles: new Set() };
  }

  /**
   * The rows of a metrics statement, or none without asking the engine when the query's range holds no data
   * (before the tenant's first committed hour): a statement costs Trino its planning and a listing per partition.
   */
  private async metricsRows(
    query: MetricsQuery,
    build: (snapshot: TenantSnapshot) => SqlStatement,
  ): Promise<Record<string, unknown>[]> {
    const snapshot = await this.snapshotFor(query);
    if (scansNothing(query, snapshot)) return [];
    try {
      return await this.rows(build(snapshot), query.signal);
    } catch (error) {
      if (!this.fellBack(error)) throw error;
      return this.rows(build(snapshot), query.signal);
    }
  }

  async counts(query: MetricsQuery): Promise<CountRow[]> {
    const rows = await this.metricsRows(query, (s) => buildCountsSql(query, this.dialect, s));
    return rows.map(toCountRow);
  }

  async summaries(query: MetricsQuery): Promise<SummaryRow[]> {
    if (this.dialect.mergeBuckets) return this.summariesInOnePass(query);
    const rows = await this.metricsRows(query, (s) => buildSummarySql(query, this.dialect, s));
    return rows.map(toSummaryRow);
  }

  /**
   * One pass over the rows (dialect.mergeBuckets): the engine merges each group's histogram with its counts and
   * cuts a count-ordered `top`; the rank search and a p95 order run here, with the code the result cache uses
   * (domain/merge-summaries.ts), so both give the answer buildSummarySql gives.
   */
  private async summariesInOnePass(query: MetricsQuery): Promise<SummaryRow[]> {
    const rankHere = query.top?.by === 'p95';
    const asked = rankHere ? { ...query, top: undefined } : query;
    const found = await this.metricsRows(asked, (s) => buildHistogramsSql(asked, this.dialect, s));
    const rows = found.map((r) => summarizeHistogram(toHistogramRow(r)));
    return (rankHere ? applyTop(rows, query) : rows).map(({ p95Index: _, ...row }) => row);
  }

  async histograms(query: MetricsQuery): Promise<HistogramRow[]> {
    const asked = { ...query, top: undefined };
    const rows = await this.metricsRows(asked, (s) => buildHistogramsSql(asked, this.dialect, s));
    return rows.map(toHistogramRow);
  }

  async events(query: EventsQuery): Promise<EventRow[]> {
    return (await this.rows(buildEventsSql(query, this.dialect), query.signal)).map(toEventRow);
  }

  async exemplars(query: ExemplarsQuery): Promise<ExemplarRow[]> {
    return (await this.rows(buildExemplarsSql(query, this.dialect), query.signal)).map(toExemplarRow);
  }

  async lastMetricMinute(
    tenant: string,
    now: number,
    lookbackMs: number,
    signal?: AbortSignal,
  ): Promise<number | null> {
    const [row] = await this.rows(buildLastMinuteSql(tenant, now, lookbackMs, this.dialect), signal);
    const last = row?.['last_minute'];
    return last === null || last === undefined ? null : toNumber(last);
  }
}
