import { QueryEngineError, QueryEngineTimeoutError } from '../app/query-engine.js';
import { isTrinoNotUpYet, toQueryEngineError, trinoRetryDelayMs } from './trino-query-engine.js';
import { TrinoStatementError } from './trino-statement-runner.js';

describe('which failed Trino statements run again', () => {
  it('runs a statement again after a replaced data file, at once, three times at most', () => {
    for (const name of ['HIVE_CANNOT_OPEN_SPLIT', 'HIVE_BAD_DATA']) {
      expect([1, 2, 3, 4].map((attempt) => trinoRetryDelayMs(name, attempt))).toEqual([0, 0, 0, undefined]);
    }
  });

  it('waits out a just started Trino that places no split yet, past its 5 s node map refresh', () => {
    const delays = Array.from({ length: 9 }, (_, i) => trinoRetryDelayMs('NO_NODES_AVAILABLE', i + 1));
    const waited = delays.filter((d): d is number => d !== undefined).reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(5_000);
    expect(delays.at(-1)).toBeUndefined();
  });

  it('gives up at once on every other error: a wrong statement does not run twice', () => {
    for (const name of ['SYNTAX_ERROR', 'EXCEEDED_TIME_LIMIT', 'USER_CANCELED', 'TABLE_NOT_FOUND', '']) {
      expect(trinoRetryDelayMs(name, 1)).toBeUndefined();
    }
  });
});

describe('isTrinoNotUpYet', () => {
  const failed = (cause: unknown) => new QueryEngineError('trino query failed', { cause });

  it('waits out no answer at all and Trino saying it is starting', () => {
    expect(
      isTrinoNotUpYet(failed(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))),
    ).toBe(true);
    expect(isTrinoNotUpYet(failed(new TrinoStatementError('starting', 'SERVER_STARTING_UP')))).toBe(true);
    expect(isTrinoNotUpYet(failed(new TrinoStatementError('no nodes', 'NO_NODES_AVAILABLE')))).toBe(true);
  });

  it('waits out a Trino that answers but cannot reach its metastore or warehouse in the object store yet', () => {
    const unreadable = new TrinoStatementError('Could not read database schema', 'HIVE_METASTORE_ERROR');
    expect(isTrinoNotUpYet(failed(unreadable))).toBe(true);
    expect(
      isTrinoNotUpYet(failed(new TrinoStatementError('Failed checking path', 'HIVE_FILESYSTEM_ERROR'))),
    ).toBe(true);
  });

  it('does not wait out an answer that will not change (a missing catalog, a denied statement)', () => {
    expect(isTrinoNotUpYet(failed(new TrinoStatementError('no catalog', 'CATALOG_NOT_FOUND')))).toBe(false);
    expect(isTrinoNotUpYet(failed(new TrinoStatementError('denied', 'PERMISSION_DENIED')))).toBe(false);
  });
});

describe('toQueryEngineError', () => {
  it('names a statement Trino ended at query_max_execution_time a timeout, and every other failure an engine error', () => {
    const killed = new TrinoStatementError(
      'Query exceeded the maximum execution time limit of 10.00s',
      'EXCEEDED_TIME_LIMIT',
    );
    expect(toQueryEngineError(killed)).toMatchObject({
      constructor: QueryEngineTimeoutError,
      message: 'trino query failed: Query exceeded the maximum execution time limit of 10.00s',
      cause: killed,
    });
    for (const cause of [
      new TrinoStatementError('no table', 'TABLE_NOT_FOUND'),
      new Error('connect ECONNREFUSED'),
    ])
      expect(toQueryEngineError(cause).constructor).toBe(QueryEngineError);
  });
});
