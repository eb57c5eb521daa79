import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { dateListTerm, partitionTerms } from './partition-terms.js';
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

  it('names every date of a range across dates, and bounds its first and last hour', () => {
    expect(termsOf(start + 22 * hourMs, start + 50 * hourMs)).toBe(
      `m."date" IN ('2026-11-16', '2026-11-17', '2026-11-18') AND (m."date" > '2026-11-16' OR m.hour >= '22') AND (m."date" < '2026-11-18' OR m.hour <= '01')`,
    );
  });

  it('names the dates of a day table one by one, never as a range (Trino refuses a range: ADR 0145)', () => {
    const p = new SqlParams();
    const terms = partitionTerms({ from: start + 5 * hourMs, to: start + 3 * 24 * hourMs }, false, p);
    expect(inlineParams(p.statement(terms.join(' AND ')))).toBe(
      `m."date" IN ('2026-11-16', '2026-11-17', '2026-11-18')`,
    );
  });

  it('refuses to name more dates than any request can span', () => {
    const p = new SqlParams();
    expect(
      inlineParams(
        p.statement(dateListTerm(Date.parse('2026-01-01T05:00:00Z'), Date.parse('2026-12-31T23:59:00Z'), p)),
      ),
    ).toContain("'2026-12-30', '2026-12-31')");
    expect(() => dateListTerm(Date.parse('2020-01-01'), Date.parse('2026-12-31'), p)).toThrow(
      'a statement names 1 to 400 dates, got 2020-01-01..2026-12-31',
    );
    expect(() => dateListTerm(Date.parse('2026-12-02'), Date.parse('2026-12-01T23:59:59Z'), p)).toThrow(
      RangeError,
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

  it('selects exactly the dates a range overlaps on a day table', async () => {
    const hours = days * 24;
    const range = fc
      .tuple(fc.integer({ min: 0, max: hours - 1 }), fc.integer({ min: 1, max: hours }))
      .map(([a, n]) => ({ from: start + a * hourMs, to: start + Math.min(hours, a + n) * hourMs }));
    await fc.assert(
      fc.asyncProperty(range, async ({ from, to }) => {
        const p = new SqlParams();
        const where = inlineParams(p.statement(partitionTerms({ from, to }, false, p).join(' AND ')));
        const reader = await connection.runAndReadAll(
          `SELECT DISTINCT "date" FROM parts AS m WHERE ${where} ORDER BY "date"`,
        );
        const dates = [...new Set(overlapping(from, to).map((h) => new Date(h).toISOString().slice(0, 10)))];
        expect(reader.getRows().map(([d]) => d)).toEqual(dates);
      }),
      { seed: 145, numRuns: 40 },
    );
  });
});
