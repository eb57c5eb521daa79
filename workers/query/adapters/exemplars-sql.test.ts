import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { exemplarColumnName, exemplarFields, exemplarKinds } from '../../domain/metrics-layout.js';
import type { ExemplarRow, ExemplarsQuery } from '../app/query-engine.js';
import { compareExemplars } from '../domain/exemplar-order.js';
import { inlineParams } from '../testing/inline-params.js';
import { duckDbParams } from './duckdb-statement-runner.js';
import { buildExemplarsSql, toExemplarRow } from './exemplars-sql.js';
import type { SqlDialect } from './metrics-sql.js';
import { sqlString } from './sql-statement.js';

/**
 * buildExemplarsSql run on an in-memory DuckDB over minute rows written here, against the order the result cache
 * merges in (domain/exemplar-order.ts): both must list the same exemplars, or a cached answer would differ.
 */
const minute0 = Date.parse('2026-11-10T10:00:00Z');
const dialect: SqlDialect = {
  source: () => 'rows_minute',
  tenantFilter: () => [],
  intDiv: (a, b) => `(${a} // ${b})`,
  unnestBuckets: () => ({ select: '', join: '' }),
};
const sqlTypes = { utf8: 'VARCHAR', float64: 'DOUBLE', int64: 'BIGINT' } as const;
const exemplarColumns = exemplarKinds.flatMap((kind) =>
  exemplarFields.map(([field, type]) => `${exemplarColumnName(kind, field)} ${sqlTypes[type]}`),
);

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** A minute row: its key and one exemplar per kind (null: none kept). */
interface Row {
  minute: number;
  service: string;
  method: string;
  path: string;
  slowest: Omit<ExemplarRow, 'minute' | 'service' | 'method' | 'path'> | null;
  failed: Omit<ExemplarRow, 'minute' | 'service' | 'method' | 'path'> | null;
}

const literal = (v: string | number | null) =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v);

async function writeRows(rows: readonly Row[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE rows_minute (minute_ms BIGINT, service VARCHAR, method VARCHAR,
    path VARCHAR, "date" VARCHAR, hour VARCHAR, ${exemplarColumns.join(', ')})`);
  for (const row of rows) {
    const iso = new Date(row.minute).toISOString();
    const exemplar = (e: Row['slowest']) =>
      e ? [e.traceId, e.spanId, e.latencyMs, e.statusCode, e.t] : [null, null, null, null, null];
    const key: (string | number | null)[] = [
      row.minute,
      row.service,
      row.method,
      row.path,
      iso.slice(0, 10),
      iso.slice(11, 13),
    ];
    const values = key.concat(exemplar(row.slowest), exemplar(row.failed)).map(literal);
    await connection.run(`INSERT INTO rows_minute VALUES (${values.join(', ')})`);
  }
}

async function run(query: ExemplarsQuery): Promise<ExemplarRow[]> {
  const { text, params } = buildExemplarsSql(query, dialect);
  const bound = duckDbParams(params);
  const reader = await connection.runAndReadAll(text, bound.values, bound.types);
  return (reader.getRowObjects() as Record<string, unknown>[]).map(toExemplarRow);
}

/** The exemplars of one kind the rows hold in [from, to), in domain order: what the SQL must answer. */
function expected(rows: readonly Row[], query: ExemplarsQuery): ExemplarRow[] {
  return rows
    .filter((r) => r.minute >= query.from && r.minute < query.to && r[query.kind] !== null)
    .filter((r) => query.service === undefined || r.service === query.service)
    .map((r) => ({ minute: r.minute, service: r.service, method: r.method, path: r.path, ...r[query.kind]! }))
    .sort(compareExemplars(query.kind))
    .slice(0, query.limit);
}

// Few distinct values, so latencies, times and trace ids tie often and the tie-breaks decide.
const text = fc.oneof(
  fc.constantFrom('a', 'b', "o'k", 'é', 'é', '𝔸', '\uffff'),
  fc.string({ unit: 'grapheme' }),
);
const exemplar = fc.record({
  traceId: fc.constantFrom('0af7651916cd43dd8448eb211c80319c', 'ffff', '00', "'; DROP"),
  spanId: fc.option(fc.constantFrom('b7ad6b7169203331', 'aa', ''), { nil: null }),
  latencyMs: fc.constantFrom(0, 0.0004, 12.5, 900),
  statusCode: fc.constantFrom(200, 500, 503),
  t: fc.constantFrom(minute0, minute0 + 59_999, minute0 + 3_600_000),
});
const row = fc.record({
  minute: fc.integer({ min: 0, max: 150 }).map((m) => minute0 + m * 60_000),
  service: text,
  method: fc.constantFrom('GET', 'POST'),
  path: text,
  slowest: fc.option(exemplar, { nil: null }),
  failed: fc.option(exemplar, { nil: null }),
});

describe('buildExemplarsSql', () => {
  it('lists the same exemplars in the same order as the result cache merges them, for any rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.constantFrom(...exemplarKinds),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 120 }),
        async (rows, kind, limit, fromMinute) => {
          await writeRows(rows);
          const query = {
            tenant: 'acme',
            kind,
            limit,
            from: minute0 + fromMinute * 60_000,
            to: minute0 + 150 * 60_000,
          };
          expect(await run(query)).toEqual(expected(rows, query));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('filters by a service name full of SQL, as data', async () => {
    const hostile = "x' OR '1'='1";
    const kept = { traceId: 't1', spanId: null, latencyMs: 5, statusCode: 500, t: minute0 };
    await writeRows([
      { minute: minute0, service: hostile, method: 'GET', path: '/a', slowest: kept, failed: kept },
      {
        minute: minute0,
        service: 'other',
        method: 'GET',
        path: '/a',
        slowest: { ...kept, traceId: 't2' },
        failed: null,
      },
    ]);
    const query = {
      tenant: 'acme',
      kind: 'slowest' as const,
      limit: 10,
      from: minute0,
      to: minute0 + 60_000,
    };
    expect((await run({ ...query, service: hostile })).map((r) => r.traceId)).toEqual(['t1']);
    expect((await run({ ...query, service: "x'" })).map((r) => r.traceId)).toEqual([]);
  });

  it('binds every value: the statement text holds none of them', () => {
    const statement = buildExemplarsSql(
      {
        tenant: 'acme',
        kind: 'failed',
        limit: 7,
        from: minute0,
        to: minute0 + 60_000,
        service: 'svc',
        path: '/p',
      },
      dialect,
    );
    expect(statement.text).not.toMatch(/svc|\/p|acme|2026/);
    expect(statement.params).toEqual(expect.arrayContaining(['svc', '/p', 7, minute0]));
    expect(inlineParams(statement)).toContain(
      'ORDER BY m.exemplar_failed_ts_ms DESC, m.exemplar_failed_latency_ms DESC',
    );
  });
});
