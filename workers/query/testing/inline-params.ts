import type { SqlStatement } from '../adapters/sql-statement.js';

/**
 * A statement's text with each placeholder replaced by its value, for tests that read what a statement asks
 * (its ranges, its ORDER BY). Never run: engines get the values bound (sql-statement.ts).
 */
export function inlineParams(statement: SqlStatement): string {
  return statement.text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = statement.params[Number(n) - 1];
    if (value === undefined) throw new RangeError(`placeholder $${n} has no parameter`);
    return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
  });
}
