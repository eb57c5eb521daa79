import type { CountRow, EventRow, MetricsQuery, QueryEngine, SummaryRow } from '../query-engine.js';
import {
  buildCountsSql,
  buildEventsSql,
  buildLastMinuteSql,
  buildSummarySql,
  type SqlDialect,
} from './metrics-sql.js';
import { toCountRow, toEventRow, toNumber, toSummaryRow } from './metrics-rows.js';

/**
 * The QueryEngine operations, written once over the shared SQL builder; an adapter supplies its dialect and how
 * to run a statement (`rows`).
 */
export abstract class SqlQueryEngine implements QueryEngine {
  protected constructor(protected readonly dialect: SqlDialect) {}

  protected abstract rows(sql: string): Promise<Record<string, unknown>[]>;

  abstract close(): Promise<void>;

  async counts(query: MetricsQuery): Promise<CountRow[]> {
    return (await this.rows(buildCountsSql(query, this.dialect))).map(toCountRow);
  }

  async summaries(query: MetricsQuery): Promise<SummaryRow[]> {
    return (await this.rows(buildSummarySql(query, this.dialect))).map(toSummaryRow);
  }

  async events(query: { tenant: string; from: number; to: number; service?: string }): Promise<EventRow[]> {
    return (await this.rows(buildEventsSql(query, this.dialect))).map(toEventRow);
  }

  async lastMetricMinute(tenant: string, now: number, lookbackMs: number): Promise<number | null> {
    const [row] = await this.rows(buildLastMinuteSql(tenant, now, lookbackMs, this.dialect));
    const last = row?.['last_minute'];
    return last === null || last === undefined ? null : toNumber(last);
  }
}
