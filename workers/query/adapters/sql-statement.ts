/**
 * Statements with bound parameters: the one way a client-chosen value (tenant, service, method, path, times,
 * limits) reaches a query engine. The statement text holds only the SQL builder's own words; every value sits in
 * `params` and reaches DuckDB through a prepared statement and Trino through `EXECUTE IMMEDIATE ... USING`.
 */

/** A bound value: text (VARCHAR) or a safe integer (BIGINT). */
export type SqlValue = string | number;

/** A statement whose text holds no client-chosen value: placeholder `$n` takes `params[n - 1]`. */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly SqlValue[];
  /**
   * False when each file the statement reads holds about one row per group (an endpoint's row in a tile): an
   * engine that aggregates every file before merging the files' partial results (Trino's partial aggregation)
   * does the work twice and should merge once. Absent: the engine's default (docs/adr/0147).
   */
  readonly aggregateEachFile?: boolean;
}

/** What a statement tells the engine beside its text and values. */
export type SqlStatementHints = Pick<SqlStatement, 'aggregateEachFile'>;

/** Collects one statement's parameters; `bind` returns the placeholder to write into the text. */
export class SqlParams {
  private readonly values: SqlValue[] = [];

  bind(value: SqlValue): string {
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      throw new RangeError(`a bound number must be a safe integer, got ${value}`);
    // The edge refuses control characters (workers/domain/text-rule.ts); a NUL here is a bug, refused again:
    // a C string boundary inside an engine must never cut a value.
    if (typeof value === 'string' && value.includes('\u0000'))
      throw new RangeError('a bound string must not contain NUL');
    this.values.push(value);
    return `$${this.values.length}`;
  }

  statement(text: string, hints: SqlStatementHints = {}): SqlStatement {
    return { text, params: [...this.values], ...hints };
  }
}

/** A statement without parameters (DDL built from configuration, probes). */
export const plainStatement = (text: string): SqlStatement => ({ text, params: [] });

const placeholder = /\$(\d+)/g;

/**
 * The statement with anonymous `?` placeholders, as Trino's `EXECUTE ... USING` takes them: its values in the
 * order the placeholders appear, a placeholder used twice given its value twice. The builder writes `$` only as
 * placeholders (its text has no string literals), so every `$n` is one.
 */
export function toPositional(statement: SqlStatement): SqlStatement {
  const params: SqlValue[] = [];
  const text = statement.text.replace(placeholder, (_, n: string) => {
    const value = statement.params[Number(n) - 1];
    if (value === undefined) throw new RangeError(`placeholder $${n} has no parameter`);
    params.push(value);
    return '?';
  });
  return { text, params };
}

/**
 * SQL string literal (quotes doubled), for text that cannot be a parameter: DDL built from configuration, and
 * the statement text and values of Trino's `EXECUTE IMMEDIATE`, whose HTTP protocol carries no binary parameters.
 */
export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new RangeError('a SQL string literal must not contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}
