import {
  EngineGuard,
  EngineUnavailableError,
  QueryTimeoutError,
  TooManyQueriesError,
  type EngineGuardOptions,
} from './engine-guard.js';
import {
  QueryEngineError,
  QueryEngineTimeoutError,
  type MetricsQuery,
  type QueryEngine,
} from './query-engine.js';

/** An engine whose statements wait until released or aborted, recording the abort reasons they saw. */
function buildSlowEngine() {
  const pending: { release: () => void; signal?: AbortSignal }[] = [];
  const aborted: string[] = [];
  let fail = false;
  const wait = (signal?: AbortSignal) =>
    new Promise<never[]>((resolve, reject) => {
      if (fail) return reject(new QueryEngineError('connect ECONNREFUSED'));
      pending.push({ release: () => resolve([]), signal });
      signal?.addEventListener('abort', () => {
        aborted.push(String((signal.reason as Error).name));
        reject(new QueryEngineError('interrupted'));
      });
    });
  const engine: QueryEngine = {
    counts: (q) => wait(q.signal),
    summaries: (q) => wait(q.signal),
    histograms: (q) => wait(q.signal),
    events: (q) => wait(q.signal),
    exemplars: (q) => wait(q.signal),
    lastMetricMinute: async () => null,
    ping: async () => {
      if (fail) throw new QueryEngineError('connect ECONNREFUSED');
    },
    close: async () => {},
  };
  return { engine, pending, aborted, setFailing: (f: boolean) => (fail = f) };
}

const options = (overrides: Partial<EngineGuardOptions> = {}): EngineGuardOptions => ({
  timeoutMs: 5_000,
  tenantConcurrency: 2,
  tenantQueue: 1,
  breakerFailures: 3,
  breakerOpenMs: 10_000,
  probeCacheMs: 5_000,
  probeTimeoutMs: 1_000,
  ...overrides,
});
const query = (tenant: string, signal?: AbortSignal): MetricsQuery => ({
  tenant,
  from: 0,
  to: 60_000,
  groupBy: 'service',
  signal,
});

describe('EngineGuard', () => {
  it('lets a tenant run tenantConcurrency statements, queue tenantQueue more and refuses the next with 429', async () => {
    const slow = buildSlowEngine();
    const guard = new EngineGuard(slow.engine, options());
    const running = [1, 2, 3].map(() => guard.counts(query('greedy')));
    await expect(guard.counts(query('greedy'))).rejects.toThrow(
      new TooManyQueriesError("tenant 'greedy' already runs 2 queries and has 1 waiting"),
    );
    // Another tenant is not affected by the greedy one.
    const other = guard.counts(query('quiet'));
    await Promise.resolve();
    expect(slow.pending).toHaveLength(3);
    for (const p of slow.pending.splice(0)) p.release();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    for (const p of slow.pending.splice(0)) p.release();
    await expect(Promise.all([...running, other])).resolves.toHaveLength(4);
  });

  it('runs tenantConcurrency statements with tenantQueue 0 and refuses only the next one (no waiting)', async () => {
    const slow = buildSlowEngine();
    const guard = new EngineGuard(slow.engine, options({ tenantConcurrency: 1, tenantQueue: 0 }));
    const running = guard.counts(query('t'));
    await expect(guard.counts(query('t'))).rejects.toThrow(
      new TooManyQueriesError("tenant 't' already runs 1 queries and has 0 waiting"),
    );
    await Promise.resolve();
    slow.pending.splice(0).forEach((p) => p.release());
    await expect(running).resolves.toEqual([]);
    // The slot is free again: the next statement runs.
    const next = guard.counts(query('t'));
    await Promise.resolve();
    slow.pending.splice(0).forEach((p) => p.release());
    await expect(next).resolves.toEqual([]);
  });

  it('cancels a statement in the engine after timeoutMs and answers QUERY_TIMEOUT', async () => {
    const slow = buildSlowEngine();
    const guard = new EngineGuard(slow.engine, options({ timeoutMs: 50 }));
    await expect(guard.counts(query('t'))).rejects.toMatchObject({
      constructor: QueryTimeoutError,
      code: 'QUERY_TIMEOUT',
      message: 'the query ran longer than 50 ms and was cancelled',
    });
    expect(slow.aborted).toEqual(['TimeoutError']);
  });

  it('cancels a statement when the client goes away, without counting it as an engine failure', async () => {
    const slow = buildSlowEngine();
    const guard = new EngineGuard(slow.engine, options({ breakerFailures: 1 }));
    const client = new AbortController();
    const pending = guard.counts(query('t', client.signal));
    await Promise.resolve();
    client.abort(new Error('gone'));
    await expect(pending).rejects.toThrow(QueryEngineError);
    expect(slow.aborted).toEqual(['Error']);
    const next = guard.counts(query('t'));
    await Promise.resolve();
    slow.pending.at(-1)!.release();
    await expect(next).resolves.toEqual([]);
  });

  it('opens the circuit after breakerFailures engine failures: 503 at once, without calling the engine', async () => {
    let now = 1_000_000;
    const slow = buildSlowEngine();
    slow.setFailing(true);
    const guard = new EngineGuard(slow.engine, options({ now: () => now }));
    for (let i = 0; i < 3; i++) {
      await expect(guard.counts(query('t'))).rejects.toMatchObject({
        constructor: EngineUnavailableError,
        message: 'the query engine failed; try again shortly',
        retryAfterSeconds: 5,
      });
    }
    await expect(guard.counts(query('t'))).rejects.toThrow(
      'the query engine failed 3 times in a row; queries are refused for 10 s',
    );
    now += 10_001;
    slow.setFailing(false);
    const recovered = guard.counts(query('t'));
    await Promise.resolve();
    slow.pending.at(-1)!.release();
    await expect(recovered).resolves.toEqual([]);
  });

  it('answers QUERY_TIMEOUT when the engine ended the statement at its own time limit, and keeps the circuit closed', async () => {
    // Trino's query_max_execution_time is the guard's timeout: at load its kill can arrive before the guard's timer.
    const killed = new QueryEngineTimeoutError(
      'trino query failed: Query exceeded the maximum execution time limit',
    );
    const engine: QueryEngine = { ...buildSlowEngine().engine, counts: () => Promise.reject(killed) };
    const guard = new EngineGuard(engine, options({ timeoutMs: 10_000, breakerFailures: 1 }));
    for (let i = 0; i < 2; i++) {
      await expect(guard.counts(query('t'))).rejects.toMatchObject({
        constructor: QueryTimeoutError,
        code: 'QUERY_TIMEOUT',
        message: 'the query ran longer than 10000 ms and was cancelled',
        cause: killed,
      });
    }
  });

  it('answers readiness from a probe cached for probeCacheMs', async () => {
    let now = 0;
    const slow = buildSlowEngine();
    const guard = new EngineGuard(slow.engine, options({ now: () => now }));
    await expect(guard.readiness()).resolves.toEqual({ ready: true });
    slow.setFailing(true);
    await expect(guard.readiness()).resolves.toEqual({ ready: true });
    now += 5_000;
    await expect(guard.readiness()).resolves.toEqual({
      ready: false,
      reason: 'the query engine does not answer: connect ECONNREFUSED',
    });
  });
});
