import type {
  CountRow,
  EventRow,
  EventsQuery,
  ExemplarRow,
  ExemplarsQuery,
  HistogramRow,
  MetricsQuery,
  QueryEngine,
  SummaryRow,
} from './query-engine.js';
import { QueryEngineError, QueryEngineTimeoutError } from './query-engine.js';

export interface EngineGuardOptions {
  /** Each engine statement is cancelled after this long (GRAVIX_QUERY_TIMEOUT_MS). */
  timeoutMs: number;
  /** Statements one tenant may run at once (GRAVIX_QUERY_TENANT_CONCURRENCY); a few more may wait for a slot. */
  tenantConcurrency: number;
  /** Statements of one tenant that may wait for a slot before further ones get 429. */
  tenantQueue: number;
  /** Consecutive engine failures that open the circuit (GRAVIX_QUERY_BREAKER_FAILURES). */
  breakerFailures: number;
  /** How long an open circuit refuses statements before it lets one through (GRAVIX_QUERY_BREAKER_OPEN_MS). */
  breakerOpenMs: number;
  /** How long a readiness probe's answer is reused, and the probe's own timeout. */
  probeCacheMs: number;
  probeTimeoutMs: number;
  now?: () => number;
}

export type EngineReadiness = { ready: true } | { ready: false; reason: string };

/** A tenant already has tenantConcurrency statements running and tenantQueue waiting: 429. */
export class TooManyQueriesError extends Error {
  readonly code = 'TOO_MANY_QUERIES';
}
/** A statement ran past timeoutMs and was cancelled: 503. */
export class QueryTimeoutError extends Error {
  readonly code = 'QUERY_TIMEOUT';
}
/** The engine failed, or the circuit is open after repeated failures: 503 with Retry-After. */
export class EngineUnavailableError extends Error {
  readonly code = 'ENGINE_UNAVAILABLE';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

class TenantSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  get idle() {
    return this.running === 0 && this.waiting.length === 0;
  }
  get queued() {
    return this.waiting.length;
  }
  /** Every slot taken: a new statement would wait. */
  get full() {
    return this.running >= this.limit;
  }
  async acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

/**
 * The QueryEngine as every request sees it: per-tenant concurrency (one tenant cannot take every engine slot), a
 * timeout that cancels the statement in the engine, the client's disconnect cancelling it too, and a circuit
 * breaker so an engine outage answers 503 at once instead of piling up requests. Costs a map lookup per statement.
 */
export class EngineGuard implements QueryEngine {
  private readonly tenants = new Map<string, TenantSlots>();
  private failures = 0;
  private openUntil = 0;
  private probe: { at: number; result: Promise<EngineReadiness> } | undefined;

  constructor(
    private readonly engine: QueryEngine,
    private readonly options: EngineGuardOptions,
  ) {}

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  get prefersOneStatement(): boolean {
    return this.engine.prefersOneStatement ?? false;
  }

  counts(query: MetricsQuery): Promise<CountRow[]> {
    return this.guard(query.tenant, query.signal, (signal) => this.engine.counts({ ...query, signal }));
  }

  summaries(query: MetricsQuery): Promise<SummaryRow[]> {
    return this.guard(query.tenant, query.signal, (signal) => this.engine.summaries({ ...query, signal }));
  }

  histograms(query: MetricsQuery): Promise<HistogramRow[]> {
    return this.guard(query.tenant, query.signal, (signal) => this.engine.histograms({ ...query, signal }));
  }

  events(query: EventsQuery): Promise<EventRow[]> {
    return this.guard(query.tenant, query.signal, (signal) => this.engine.events({ ...query, signal }));
  }

  exemplars(query: ExemplarsQuery): Promise<ExemplarRow[]> {
    return this.guard(query.tenant, query.signal, (signal) => this.engine.exemplars({ ...query, signal }));
  }

  lastMetricMinute(tenant: string, now: number, lookbackMs: number, signal?: AbortSignal) {
    return this.guard(tenant, signal, (s) => this.engine.lastMetricMinute(tenant, now, lookbackMs, s));
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.engine.ping(signal);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  /** Whether the engine answers a trivial statement; probed at most every probeCacheMs. */
  readiness(): Promise<EngineReadiness> {
    const now = this.now();
    if (this.probe && now - this.probe.at < this.options.probeCacheMs) return this.probe.result;
    const result = this.engine.ping(AbortSignal.timeout(this.options.probeTimeoutMs)).then(
      (): EngineReadiness => {
        this.failures = 0;
        return { ready: true };
      },
      (error: unknown): EngineReadiness => {
        this.recordFailure();
        return { ready: false, reason: `the query engine does not answer: ${(error as Error).message}` };
      },
    );
    this.probe = { at: now, result };
    return result;
  }

  private recordFailure(): void {
    this.failures += 1;
    if (this.failures >= this.options.breakerFailures)
      this.openUntil = this.now() + this.options.breakerOpenMs;
  }

  private async guard<T>(
    tenant: string,
    clientSignal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const openFor = this.openUntil - this.now();
    if (openFor > 0) {
      throw new EngineUnavailableError(
        `the query engine failed ${this.failures} times in a row; queries are refused for ${Math.ceil(openFor / 1000)} s`,
        Math.ceil(openFor / 1000),
      );
    }
    const slots = this.tenants.get(tenant) ?? new TenantSlots(this.options.tenantConcurrency);
    // Only a statement that would wait counts against the queue: with GRAVIX_QUERY_TENANT_QUEUE=0 (no waiting) a
    // tenant with a free slot still runs; probe 5 found every statement refused, the first one included.
    if (slots.full && slots.queued >= this.options.tenantQueue) {
      throw new TooManyQueriesError(
        `tenant '${tenant}' already runs ${this.options.tenantConcurrency} queries and has ${slots.queued} waiting`,
      );
    }
    this.tenants.set(tenant, slots);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = clientSignal ? AbortSignal.any([timeout, clientSignal]) : timeout;
    await slots.acquire();
    try {
      if (signal.aborted) throw signal.reason;
      const result = await run(signal);
      this.failures = 0;
      return result;
    } catch (error) {
      throw this.classify(error, timeout, clientSignal);
    } finally {
      slots.release();
      if (slots.idle) this.tenants.delete(tenant);
    }
  }

  private classify(error: unknown, timeout: AbortSignal, clientSignal: AbortSignal | undefined): unknown {
    // The client went away: nothing to answer, and not the engine's failure.
    if (clientSignal?.aborted && !timeout.aborted) return error;
    // Trino may end the statement at its query_max_execution_time (the same timeout) before this timer fires: at
    // load 45 the timer runs late. Either way the query was too slow; the engine did not fail.
    if (timeout.aborted || error instanceof QueryEngineTimeoutError) {
      return new QueryTimeoutError(
        `the query ran longer than ${this.options.timeoutMs} ms and was cancelled`,
        {
          cause: error,
        },
      );
    }
    if (error instanceof QueryEngineError) {
      this.recordFailure();
      return new EngineUnavailableError('the query engine failed; try again shortly', 5, { cause: error });
    }
    return error;
  }
}
