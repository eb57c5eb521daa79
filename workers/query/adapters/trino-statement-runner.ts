import type { QueryResult, Trino } from 'trino-client';

/** A statement Trino failed, with Trino's error name (e.g. HIVE_CANNOT_OPEN_SPLIT). */
export class TrinoStatementError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
  ) {
    super(message);
  }
}

function toRowObjects(result: QueryResult): Record<string, unknown>[] {
  const names = (result.columns ?? []).map((c) => c.name);
  return (result.data ?? []).map((values) =>
    Object.fromEntries(names.map((name, i) => [name, (values as unknown[])[i]])),
  );
}

/**
 * The query id from Trino's answer to the POST, which the iterator holds before its first page. trino-client's
 * iterator polls on by itself while a page comes back empty, so a statement that returns nothing until it ends (any
 * aggregation) yields no page, and no id, until it is over: cancelling by the first page's id did nothing, and the
 * query ran to its end with the client gone (found by engine-cancellation.int.test.ts). trino-client 0.2.x keeps
 * that answer in `iter.queryResult`; read defensively, undefined if a later release moves it.
 */
function postedQueryId(results: unknown): string | undefined {
  const iter = (results as { iter?: { queryResult?: { id?: unknown } } } | undefined)?.iter;
  const id = iter?.queryResult?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Runs one statement and reads every page. An abort (timeout, client gone) cancels the query in Trino (DELETE of
 * the query), not only the client's reading, so the coordinator stops its work (issue #17.3); `timeoutMs` also
 * asks Trino to kill the statement itself past that time (query_max_execution_time), should the cancel be lost.
 */
export async function runTrinoStatement(
  client: Trino,
  sql: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let queryId: string | undefined;
  const cancel = () => void (queryId && client.cancel(queryId).catch(() => undefined));
  signal?.addEventListener('abort', cancel, { once: true });
  const session = timeoutMs ? { query_max_execution_time: `${Math.ceil(timeoutMs / 1000)}s` } : undefined;
  try {
    signal?.throwIfAborted();
    const results = await client.query({ query: sql, session });
    queryId = postedQueryId(results);
    if (signal?.aborted) cancel();
    for await (const result of results) {
      queryId = result.id;
      if (signal?.aborted) cancel();
      signal?.throwIfAborted();
      if (result.error) throw new TrinoStatementError(result.error.message, result.error.errorName);
      rows.push(...toRowObjects(result));
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
  return rows;
}
