import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MinuteMetricsAggregator } from '../../domain/minute-metrics.js';
import { decodeParquet, encodeParquet } from '../../adapters/parquet-codec.js';
import { buildSeededFacts, buildServiceEvent } from '../testing/seeded-raw-events.js';
import { rollUpMinutesToHours, rollUpToServices } from '../../domain/hour-metrics.js';
import {
  decodeHourMetrics,
  decodeRequestMetrics,
  encodeHourMetrics,
  encodeRequestMetrics,
  encodeServiceEvents,
  encodeServiceMetrics,
} from './metrics-parquet.js';

const hour = Date.parse('2026-11-20T10:00:00Z');

function rowsOf(seed: number) {
  const aggregator = new MinuteMetricsAggregator();
  buildSeededFacts({ seed, count: 5_000, fromMs: hour }).forEach((f) => aggregator.add(f));
  return aggregator.rows();
}

describe('metrics Parquet files', () => {
  it('keep an unknown status split NULL, not 0, and read a file without the status columns as unknown', () => {
    const rows = rowsOf(5).map((r, i) =>
      i % 2 === 0 ? { ...r, status1xx: null, status2xx: null, status3xx: null } : r,
    );
    const bytes = encodeRequestMetrics(rows);
    expect(decodeRequestMetrics(bytes)).toEqual(rows);
    const table = decodeParquet(bytes);
    expect(table.getChild('status_2xx')?.nullCount).toBe(Math.ceil(rows.length / 2));
    const older = table.select(
      table.schema.fields.map((f) => f.name).filter((n) => !n.startsWith('status_')),
    );
    const [first] = decodeRequestMetrics(encodeParquet(older));
    expect(first).toMatchObject({ requests: rows[0]!.requests, status2xx: null, status3xx: null });
  });

  it('keep the estimated request count and read a file written before it as not estimated (0)', () => {
    const rows = rowsOf(6).map((r, i) => (i % 3 === 0 ? { ...r, estimatedRequests: r.requests } : r));
    const bytes = encodeRequestMetrics(rows);
    expect(decodeRequestMetrics(bytes)).toEqual(rows);
    const table = decodeParquet(bytes);
    const older = table.select(
      table.schema.fields.map((f) => f.name).filter((n) => n !== 'estimated_requests'),
    );
    expect(decodeRequestMetrics(encodeParquet(older)).map((r) => r.estimatedRequests)).toEqual(
      rows.map(() => 0),
    );
  });

  it('round-trip every request_metrics_minute column exactly', () => {
    const rows = rowsOf(1);
    expect(decodeRequestMetrics(encodeRequestMetrics(rows))).toEqual(rows);
  });

  it('round-trip every request_metrics_hour column exactly, with hour_ms as the time column', () => {
    const hours = rollUpMinutesToHours(rowsOf(3));
    const bytes = encodeHourMetrics(hours);
    expect(decodeHourMetrics(bytes)).toEqual(hours);
    expect(decodeParquet(bytes).schema.fields[0]?.name).toBe('hour_ms');
  });

  it('write service tables with the service key and no endpoint columns', () => {
    const rows = rollUpToServices(rowsOf(4), 'hour');
    const table = decodeParquet(encodeServiceMetrics('hour', rows));
    expect(table.numRows).toBe(rows.length);
    expect(table.schema.fields.map((f) => f.name).slice(0, 3)).toEqual(['hour_ms', 'service', 'requests']);
    expect(Number(table.getChild('requests')?.get(0))).toBe(rows[0]!.requests);
  });

  it('are byte-identical when the same rows are encoded twice', () => {
    expect(
      Buffer.from(encodeRequestMetrics(rowsOf(2))).equals(Buffer.from(encodeRequestMetrics(rowsOf(2)))),
    ).toBe(true);
  });

  it('store service events with nullable version and description', () => {
    const table = decodeParquet(
      encodeServiceEvents([
        buildServiceEvent(),
        buildServiceEvent({ event_id: 'i-1', type: 'incident', version: undefined }),
      ]),
    );
    expect(table.numRows).toBe(2);
    expect(table.getChild('version')?.get(1)).toBeNull();
    expect(Number(table.getChild('ts_ms')?.get(0))).toBe(Date.parse('2026-11-20T10:15:00Z'));
  });

  it('write a readable file with the schema for an empty partition', () => {
    expect(decodeRequestMetrics(encodeRequestMetrics([]))).toEqual([]);
    expect(decodeParquet(encodeServiceEvents([])).schema.fields.map((f) => f.name)).toContain('event_id');
  });

  it('writes a day tile in row groups of the given size, so a reader filtering one endpoint skips the others', async () => {
    const hours = rollUpMinutesToHours(rowsOf(9));
    const bytes = encodeHourMetrics(hours, { maxRowGroupSize: 5 });
    expect(decodeHourMetrics(bytes)).toEqual(hours);
    const dir = mkdtempSync(join(tmpdir(), 'gravix-row-groups-'));
    writeFileSync(join(dir, 'tile.parquet'), bytes);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await connection.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata('${join(dir, 'tile.parquet')}')`,
    );
    expect(Number(reader.getRowObjects()[0]!['groups'])).toBe(Math.ceil(hours.length / 5));
    expect(hours.length).toBeGreaterThan(5);
    connection.closeSync();
  });
});
