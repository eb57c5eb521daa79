import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { partitionTerms } from './metrics-sql.js';
import { SqlParams } from './sql-statement.js';
import { inlineParams } from '../testing/inline-params.js';

/**
 * partitionTerms over a table of every (date, hour) partition of four days, on an in-memory DuckDB: the terms
 * must select exactly the partitions a range overlaps, whichever form they take (docs/adr/0108).
 */
const start = Date.parse('2026-11-16T00:00:00Z');
const hourMs = 3_600_000;
const days = 4;

let connection: DuckDBConnection;
let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(`CREATE TABLE parts AS SELECT strftime(to_timestamp(h * 3600), '%Y-%m-%d') AS "date",
    strftime(to_timestamp(h * 3600), '%H') AS hour, h * 3600000 AS start_ms
    FROM range(${start / hourMs}, ${start / hourMs + days * 24}) AS t(h)`);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

function termsOf(from: number, to: number): string {
  const p = new SqlParams();
  return inlineParams(p.statement(partitionTerms({ from, to }, true, p).join(' AND ')));
}

async function selected(from: number, to: number): Promise<number[]> {
  const reader = await connection.runAndReadAll(
    `SELECT start_ms FROM parts AS m WHERE ${termsOf(from, to)} ORDER BY start_ms`,
  );
  return reader.getRows().map(([ms]) => Number(ms));
}

function overlapping(from: number, to: number): number[] {
  const all = Array.from({ length: days * 24 }, (_, i) => start + i * hourMs);
  return all.filter((h) => h < to && h + hourMs > from);
}

describe('partitionTerms', () => {
  it('names a range within one date by its date and an hour interval, with no OR', () => {
    const from = start + 3 * hourMs + 5 * 60_000;
    expect(termsOf(from, start + 7 * hourMs)).toBe(
      `m."date" = '2026-11-16' AND m.hour BETWEEN '03' AND '06'`,
    );
  });

  it('bounds a range across dates by both dates and the first and last hour', () => {
    expect(termsOf(start + 22 * hourMs, start + 26 * hourMs)).toBe(
      `m."date" BETWEEN '2026-11-16' AND '2026-11-17' AND (m."date" > '2026-11-16' OR m.hour >= '22') AND (m."date" < '2026-11-17' OR m.hour <= '01')`,
    );
  });

  it('selects exactly the hour partitions a range overlaps, within a date or across dates', async () => {
    const minute = 60_000;
    const span = days * 24 * 60;
    const range = fc
      .tuple(fc.integer({ min: 0, max: span - 1 }), fc.integer({ min: 1, max: span }))
      .map(([a, n]) => ({ from: start + a * minute, to: start + Math.min(span, a + n) * minute }));
    await fc.assert(
      fc.asyncProperty(range, async ({ from, to }) => {
        expect(await selected(from, to)).toEqual(overlapping(from, to));
      }),
      { seed: 108, numRuns: 80 },
    );
  });
});
