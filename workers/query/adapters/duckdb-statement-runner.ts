import { BIGINT, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { SqlValue } from './sql-statement.js';

/** A statement's values as DuckDB binds them ($n takes values[n - 1]): numbers as BIGINT, text as VARCHAR. */
export function duckDbParams(params: readonly SqlValue[]) {
  return {
    values: params.map((v) => (typeof v === 'number' ? BigInt(v) : v)),
    types: params.map((v) => (typeof v === 'number' ? BIGINT : VARCHAR)),
  };
}

/** How often an abandoned statement is interrupted again until DuckDB gives it up. */
const interruptEveryMs = 10;

/**
 * Runs one prepared statement on its own connection and reads every row; an abort (timeout, client gone)
 * interrupts it in DuckDB, so its threads stop and the next statement runs at once (issue #17.3). The interrupt is
 * repeated until the statement settles: DuckDB clears a connection's interrupt when it starts executing, so one
 * that lands while the statement is still being prepared is lost, and the statement ran to its end (found by
 * engine-cancellation.int.test.ts: minutes of CPU after the client had gone).
 */
export async function runDuckDbStatement(
  connection: DuckDBConnection,
  text: string,
  params: readonly SqlValue[],
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  let repeat: NodeJS.Timeout | undefined;
  const interrupt = () => {
    connection.interrupt();
    repeat ??= setInterval(() => connection.interrupt(), interruptEveryMs);
  };
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    signal?.throwIfAborted();
    const { values, types } = duckDbParams(params);
    const reader = await connection.runAndReadAll(text, values, types);
    return reader.getRowObjects() as Record<string, unknown>[];
  } finally {
    clearInterval(repeat);
    signal?.removeEventListener('abort', interrupt);
  }
}
