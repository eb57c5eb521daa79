import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { LatencySketch } from '../../domain/latency-sketch.js';
import type { MetricsQuery } from '../app/query-engine.js';
import { buildTenantSnapshot, type TenantSnapshot } from '../domain/tenant-snapshot.js';
import {
  metricsTableLayouts,
  openDayTileTables,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import {
  buildSummarySql,
  metricsRowsSql,
  metricsScanPlan,
  scansNothing,
  type SqlDialect,
} from './metrics-sql.js';
import { roundLatencyMs } from '../../domain/latency-sketch.js';
import { toSummaryRow } from './metrics-rows.js';
import { SqlParams, sqlString } from './sql-statement.js';
import { duckDbParams } from './duckdb-statement-runner.js';
import { inlineParams } from '../testing/inline-params.js';

/**
 * buildSummarySql's rank search, run on an in-memory DuckDB over a table of minute rows written here, against
 * LatencySketch.quantile (the reference the rollup and the docs use).
 */
const minuteStart = Date.parse('2026-11-10T10:00:00Z');
const dialect: SqlDialect = {
  source: () => 'rows_minute',
  tenantFilter: () => [],
  intDiv: (a, b) => `(${a} // ${b})`,
  unnestBuckets: (alias) => ({
    select: `unnest(${alias}.latency_bucket_index) AS idx, unnest(${alias}.latency_bucket_count) AS cnt`,
    join: '',
  }),
};

/** Only request_metrics_minute exists here, so every plan reads minute rows. */
const onlyMinuteRows = buildTenantSnapshot({ tables: new Set(['request_metrics_minute']) });

let connection: DuckDBConnection;
let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** One minute row per latency list, all in one minute of one endpoint. */
async function summarize(rows: number[][], groupBy: MetricsQuery['groupBy'] = 'step') {
  const values = rows.map((latencies, i) => {
    const sketch = new LatencySketch();
    latencies.forEach((v) => sketch.add(v));
    const { zeroCount, indexes, counts } = sketch.toBuckets();
    return `(${minuteStart}, 'svc', 'GET', ${sqlString(`/p${i % 2}`)}, ${latencies.length}, 0, 0, 0, ${latencies.length}, 0, 0, ${Math.max(0, ...latencies)}::DOUBLE, ${zeroCount},
      [${indexes.join(',')}]::INTEGER[], [${counts.join(',')}]::BIGINT[], '2026-11-10', '10')`;
  });
  await connection.run(`CREATE OR REPLACE TABLE rows_minute AS SELECT * FROM (VALUES ${values.join(',')})
    AS t(minute_ms, service, method, path, requests, errors_5xx, errors_4xx, status_1xx, status_2xx, status_3xx,
    estimated_requests, latency_max_ms, latency_zero_count,
    latency_bucket_index, latency_bucket_count, "date", hour)`);
  const query: MetricsQuery = {
    tenant: 'acme',
    from: minuteStart,
    to: minuteStart + 60_000,
    stepMs: 60_000,
    groupBy,
  };
  const { text, params } = buildSummarySql(query, dialect, onlyMinuteRows);
  const bound = duckDbParams(params);
  const reader = await connection.runAndReadAll(text, bound.values, bound.types);
  return (reader.getRowObjects() as Record<string, unknown>[]).map(toSummaryRow);
}

function sketchOf(rows: number[][]): LatencySketch {
  const sketch = new LatencySketch();
  rows.flat().forEach((v) => sketch.add(v));
  return sketch;
}

describe('buildSummarySql percentile ranks', () => {
  it('answers 0 when the rank falls among zero latencies although a non-zero bucket exists', async () => {
    const [row] = await summarize([[0, 0, 5.5]]);
    expect([row!.p50, row!.p95, row!.p99]).toEqual([0, 0, 0]);
  });

  it('answers 0 from zeros in one row and a non-zero bucket in another once merged', async () => {
    const [row] = await summarize([[0, 0, 0], [0.5]]);
    expect(row!.requests).toBe(4);
    // n = 4: p50 is rank 1 (a zero); p95 and p99 are rank 2 (the third zero).
    expect([row!.p50, row!.p95, row!.p99]).toEqual([0, 0, 0]);
  });

  it('leaves the zero count at the first rank past it', async () => {
    const [row] = await summarize([[0, 0, 7, 7]]);
    // n = 4: p50 is rank 1 (a zero), p95 is rank 2, the first 7 (its bucket's value capped at the exact max, 7).
    expect(sketchOf([[7]]).quantile(0.5)).toBeGreaterThan(7);
    expect([row!.p50, row!.p95]).toEqual([0, 7]);
  });

  it('answers 0 for a group with only zero latencies', async () => {
    const [row] = await summarize([[0, 0]]);
    expect([row!.p50, row!.p95, row!.p99]).toEqual([0, 0, 0]);
  });

  it('answers the single bucket of a one-value histogram, however small the value', async () => {
    const [row] = await summarize([[0.0004]]);
    expect(row!.p50).toBe(roundLatencyMs(Math.min(sketchOf([[0.0004]]).quantile(0.5)!, 0.0004)));
    expect(Math.abs(row!.p50! - 0.0004) / 0.0004).toBeLessThanOrEqual(0.01);
  });

  it('finds the same bucket as LatencySketch.quantile for any mix of zeros and latencies, capped at the max', async () => {
    const latency = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 20 }),
      fc.double({ min: 1e-9, max: 1e6, noNaN: true }),
    );
    const rows = fc.array(fc.array(latency, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(rows, async (lists) => {
        const [row] = await summarize(lists, 'service');
        const sketch = sketchOf(lists);
        const max = Math.max(...lists.flat());
        const expected = [0.5, 0.95, 0.99].map((q) => roundLatencyMs(Math.min(sketch.quantile(q)!, max)));
        expect([row!.p50, row!.p95, row!.p99]).toEqual(expected);
      }),
      { seed: 1110, numRuns: 60 },
    );
  });
});

describe('sqlString (properties)', () => {
  it('reads back as the same text in DuckDB, whatever the client sent (no way out of the literal)', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const reader = await connection.runAndReadAll(`SELECT ${sqlString(value)} AS v, 1 AS one`);
        expect(reader.getRowObjects()).toEqual([{ v: value, one: 1 }]);
      }),
      { numRuns: 60 },
    );
  });
});

/** Each branch of metricsRowsSql: the table it reads and the [from, to) of its time column. */
function branchRanges(query: MetricsQuery, dialect: SqlDialect, snapshot: TenantSnapshot) {
  const p = new SqlParams();
  const sql = inlineParams(p.statement(metricsRowsSql(query, dialect, snapshot, p)));
  return sql.split('\nUNION ALL\n').map((branch) => {
    const [, table, column, from, to] =
      /FROM <<(\w+)>> AS m WHERE .*m\.(\w+) >= (\d+) AND m\.\2 < (\d+)/.exec(branch)!;
    return { table: table!, column: column!, from: Number(from), to: Number(to) };
  });
}

/** An open-day tile is read whole: from midnight over exactly the hours it covers, at steps its rows fit. */
function expectOpenDayBranch(
  b: { from: number; to: number },
  table: MetricsTableName,
  query: MetricsQuery,
  snapshot: TenantSnapshot,
): void {
  const [hour, day] = [3_600_000, 86_400_000];
  expect(b.from % day).toBe(0);
  const date = new Date(b.from).toISOString().slice(0, 10);
  expect(snapshot.openDays.get(date)).toBe((b.to - b.from) / hour);
  if (table === 'request_metrics_open_day') expect(query.groupBy).not.toBe('step');
  else if (table.endsWith('_open_day_quarters')) {
    // Quarter-hour rows only for a series whose steps fit quarters.
    expect((query.stepMs ?? 0) % (15 * 60_000)).toBe(0);
    expect(query.from % (15 * 60_000)).toBe(0);
  } else if (query.groupBy === 'step') expect((query.stepMs ?? 0) % hour).toBe(0);
}

/**
 * Quarter-hour rows of closed days only for a series whose steps fit quarters but not hours, any run of whole
 * quarters of days that have the tiles (docs/adr/0141).
 */
function expectDayQuartersBranch(
  b: { from: number; to: number },
  query: MetricsQuery,
  snapshot: TenantSnapshot,
): void {
  const [quarter, hour] = [15 * 60_000, 3_600_000];
  expect(query.groupBy).toBe('step');
  const step = query.stepMs ?? 0;
  expect([step % quarter, query.from % quarter, b.from % quarter, b.to % quarter]).toEqual([0, 0, 0, 0]);
  expect(step % hour !== 0 || query.from % hour !== 0).toBe(true);
  for (let t = b.from; t < b.to; t += quarter)
    expect(snapshot.quarterTiles.has(new Date(t).toISOString().slice(0, 10))).toBe(true);
}

describe('metricsRowsSql (properties)', () => {
  const marking: SqlDialect = { ...dialect, source: (table) => `<<${table}>>` };
  const hour = 3_600_000;
  const day = 24 * hour;
  const t0 = Date.parse('2026-11-02T00:00:00Z');
  const queries = fc
    .record({
      from: fc
        .oneof(
          fc.integer({ min: 0, max: 20 * 1440 }),
          fc.integer({ min: 0, max: 20 * 96 }).map((q) => q * 15),
        )
        .map((m) => t0 + m * 60_000),
      span: fc.integer({ min: 1, max: 10 * 1440 }).map((m) => m * 60_000),
      groupBy: fc.constantFrom('step', 'endpoint', 'service') as fc.Arbitrary<MetricsQuery['groupBy']>,
      stepMs: fc.constantFrom(60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, hour, 6 * hour, day),
      tiles: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
      hourTiles: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
      quarterTiles: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
      openDays: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 23 })), {
        maxLength: 4,
        selector: ([d]) => d,
      }),
      hours: fc.boolean(),
      services: fc.boolean(),
    })
    .map(({ span, tiles, hourTiles, quarterTiles, openDays, hours, services, ...q }) => ({
      query: { tenant: 'acme', to: q.from + span, ...q } as MetricsQuery,
      snapshot: buildTenantSnapshot({
        tables: new Set([
          'request_metrics_minute',
          ...(hours ? (['request_metrics_hour', 'service_metrics_hour'] as const) : []),
          ...(services ? (['service_metrics_minute'] as const) : []),
        ]),
        dayTiles: new Set(tiles.map((d) => new Date(t0 - day + d * day).toISOString().slice(0, 10))),
        hourTiles: new Set(hourTiles.map((d) => new Date(t0 - day + d * day).toISOString().slice(0, 10))),
        quarterTiles: new Set(
          quarterTiles.map((d) => new Date(t0 - day + d * day).toISOString().slice(0, 10)),
        ),
        openDays: new Map(
          openDays.map(([d, n]) => [new Date(t0 - day + d * day).toISOString().slice(0, 10), n]),
        ),
      }),
    }));

  it('reads every minute of the range exactly once, from tables the snapshot has, each row type on its own time column', () => {
    fc.assert(
      fc.property(queries, ({ query, snapshot }) => {
        const branches = branchRanges(query, marking, snapshot).sort((a, b) => a.from - b.from);
        let covered = query.from;
        for (const b of branches) {
          expect(b.from).toBe(covered);
          expect(b.to).toBeGreaterThan(b.from);
          covered = b.to;
          const table = b.table as MetricsTableName;
          expect(b.column).toBe(metricsTableLayouts[table].timeColumn);
          // A tile branch covers whole days (consecutive tiled days read as one branch), each with its tile.
          const datesOf = () => {
            expect(b.from % day).toBe(0);
            expect((b.to - b.from) % day).toBe(0);
            const dates: string[] = [];
            for (let d = b.from; d < b.to; d += day) dates.push(new Date(d).toISOString().slice(0, 10));
            return dates;
          };
          if ((openDayTileTables as readonly string[]).includes(table)) {
            expectOpenDayBranch(b, table, query, snapshot);
          } else if (table === 'request_metrics_day') {
            // Day rows only for tables of rows per endpoint: never a chart's steps.
            expect(query.groupBy).not.toBe('step');
            for (const date of datesOf()) expect(snapshot.dayTiles.has(date)).toBe(true);
          } else if (table.endsWith('_day_hours')) {
            // A tile's hour rows land in one step each, as the hour table's do.
            if (query.groupBy === 'step') expect((query.stepMs ?? 0) % hour).toBe(0);
            for (const date of datesOf()) expect(snapshot.hourTiles.has(date)).toBe(true);
          } else if (table.endsWith('_day_quarters')) {
            expectDayQuartersBranch(b, query, snapshot);
          } else expect(snapshot.tables.has(table)).toBe(true);
        }
        expect(covered).toBe(query.to);
      }),
    );
  });

  it('reads per-service rows only when the query needs no endpoint and the snapshot has them', () => {
    fc.assert(
      fc.property(queries, fc.boolean(), ({ query, snapshot }, byPath) => {
        const q = byPath ? { ...query, path: '/a' } : query;
        const tables = branchRanges(q, marking, snapshot).map((b) => b.table);
        const service = q.groupBy !== 'endpoint' && !byPath && snapshot.tables.has('service_metrics_minute');
        for (const table of tables) expect(table.startsWith('service_')).toBe(service);
      }),
    );
  });

  it('reads from the first committed hour on exactly once, before it only whole tiles, and nothing when the range ends first', () => {
    const tileTables = new Set<string>(['request_metrics_day', ...openDayTileTables]);
    fc.assert(
      fc.property(queries, fc.integer({ min: -2 * 24, max: 12 * 24 }), ({ query, snapshot }, hours) => {
        const firstHour = t0 + hours * hour;
        const cut = { ...snapshot, firstHour };
        if (query.to <= firstHour) return expect(scansNothing(query, cut)).toBe(true);
        expect(scansNothing(query, cut)).toBe(false);
        const branches = branchRanges(query, marking, cut).sort((a, b) => a.from - b.from);
        let covered = branches[0]!.from;
        expect(covered).toBeGreaterThanOrEqual(query.from);
        for (const b of branches) {
          expect(b.from).toBe(covered);
          if (b.from < firstHour)
            expect(tileTables.has(b.table) || b.table.endsWith('_day_hours')).toBe(true);
          if (b.table.endsWith('_day_quarters') && !tileTables.has(b.table))
            expect(b.from).toBeGreaterThanOrEqual(firstHour);
          covered = b.to;
        }
        expect(covered).toBe(query.to);
        expect(branches[0]!.from).toBeLessThanOrEqual(Math.max(query.from, firstHour));
      }),
    );
  });
});

describe('metricsScanPlan open-hour tiles (docs/adr/0138)', () => {
  const hour = 3_600_000;
  const minute = 60_000;
  const openHour = Date.parse('2026-11-19T23:00:00Z');
  const snapshot = buildTenantSnapshot({ openHours: new Map([[openHour, 47]]) });
  const tile = [{ from: openHour, to: openHour + 47 * minute }];
  const range = { tenant: 'acme', from: openHour - 7 * 24 * hour, to: openHour + 52 * minute };

  it("reads the open hour's tile over every endpoint of every service: the endpoint table", () => {
    expect(metricsScanPlan({ ...range, groupBy: 'endpoint' }, snapshot).openHours).toEqual(tile);
    const ranked = { ...range, groupBy: 'endpoint', top: { by: 'p95', limit: 20 } } as const;
    expect(metricsScanPlan(ranked, snapshot).openHours).toEqual(tile);
  });

  it("reads the open hour's minute rows, not its tile, for per-service rows or some services or endpoints only", () => {
    const endpoint = { service: 'svc-03', method: 'GET', path: '/a' };
    for (const query of [
      { ...range, groupBy: 'step', stepMs: hour },
      { ...range, groupBy: 'service' },
      { ...range, groupBy: 'step', stepMs: hour, service: 'svc-03' },
      { ...range, groupBy: 'endpoint', service: 'svc-03' },
      { ...range, groupBy: 'endpoint', services: ['svc-03'] },
      { ...range, groupBy: 'step', stepMs: hour, ...endpoint },
      { ...range, groupBy: 'endpoint', endpoints: [endpoint] },
    ] as const) {
      const plan = metricsScanPlan(query, snapshot);
      expect(plan.openHours).toBeUndefined();
      expect(plan.minutes.at(-1)).toEqual({ from: openHour, to: openHour + 52 * minute });
    }
  });
});
