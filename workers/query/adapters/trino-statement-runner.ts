import { randomUUID } from 'node:crypto';
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

/** How often an abort looks the statement up again while Trino has not listed it yet (it is dispatched late). */
const LOOKUP_EVERY_MS = 200;

/**
 * The statement's text with a comment naming it, first: Trino keeps a query's text as sent in its documented
 * `system.runtime.queries` table, so an abort can find the query id there. trino-client's iterator polls on by
 * itself while a page comes back empty, so a statement that returns nothing until it ends (any aggregation) yields
 * no page, and no public id, until it is over; the id of the POST's answer lives in a private field of the client
 * (`iter.queryResult`), which a later release may move (issue #17: read nothing private).
 */
export function tagTrinoStatement(tag: string, sql: string): string {
  return `/* gravix-statement ${tag} */ ${sql}`;
}

/** The statement (ours, by its tag) in Trino's table of queries; a prefix match, so this lookup never finds itself. */
async function lookUpQueryId(client: Trino, tag: string): Promise<string | undefined> {
  const prefix = tagTrinoStatement(tag, '').replace(/'/g, "''");
  const rows: Record<string, unknown>[] = [];
  const lookup = `SELECT query_id FROM system.runtime.queries WHERE query LIKE '${prefix}%'`;
  for await (const result of await client.query(lookup)) {
    if (result.error) throw new TrinoStatementError(result.error.message, result.error.errorName);
    rows.push(...toRowObjects(result));
  }
  const id = rows[0]?.['query_id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * Cancels the statement (DELETE of the query, trino-client's `cancel`: Trino ends it USER_CANCELED) by the id of
 * the last page read, or, before any page, by the id Trino's table of queries lists for its tag, looked up again
 * until it is listed or the statement has settled. Best effort: `query_max_execution_time` ends a lost one.
 */
function cancelWhenAborted(
  client: Trino,
  tag: string,
  settled: { done: boolean; queryId?: string },
): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    void (async () => {
      for (;;) {
        const id = settled.queryId ?? (await lookUpQueryId(client, tag).catch(() => undefined));
        if (id) {
          await client.cancel(id).catch(() => undefined);
          return;
        }
        // Settled without a page: the query ended (or never ran), nothing is left to cancel.
        if (settled.done) return;
        await new Promise((resolve) => setTimeout(resolve, LOOKUP_EVERY_MS));
      }
    })();
  };
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
  sessionProperties: Readonly<Record<string, string>> = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const tag = randomUUID();
  const settled: { done: boolean; queryId?: string } = { done: false };
  const cancel = cancelWhenAborted(client, tag, settled);
  signal?.addEventListener('abort', cancel, { once: true });
  const session = {
    ...sessionProperties,
    ...(timeoutMs && { query_max_execution_time: `${Math.ceil(timeoutMs / 1000)}s` }),
  };
  try {
    signal?.throwIfAborted();
    const results = await client.query({
      query: tagTrinoStatement(tag, sql),
      ...(Object.keys(session).length > 0 && { session }),
    });
    // An abort during the POST found nothing to look up yet; reading on dispatches the query, which is then found.
    if (signal?.aborted) cancel();
    for await (const result of results) {
      settled.queryId = result.id;
      signal?.throwIfAborted();
      if (result.error) throw new TrinoStatementError(result.error.message, result.error.errorName);
      rows.push(...toRowObjects(result));
    }
  } finally {
    settled.done = true;
    signal?.removeEventListener('abort', cancel);
  }
  return rows;
}
