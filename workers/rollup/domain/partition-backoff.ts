/**
 * Which failing partitions a pass skips. A partition that failed (a corrupt segment, an hour past the memory
 * bounds, a store outage) is retried after 1 min, then 2, 4, ... up to maxMs; only its own success clears it. Without this, a tenant-hour that always fails would be recomputed on every
 * pass, costing every other tenant that time. Pure state, no IO; the rollup loop keeps one for its lifetime.
 */
export interface PartitionBackoffOptions {
  baseMs?: number;
  maxMs: number;
}

interface Failing {
  failures: number;
  retryAtMs: number;
}

export class PartitionBackoff {
  private readonly failing = new Map<string, Failing>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(options: PartitionBackoffOptions) {
    this.baseMs = options.baseMs ?? 60_000;
    this.maxMs = options.maxMs;
  }

  /** Partitions whose last attempt failed. */
  get size(): number {
    return this.failing.size;
  }

  isDeferred(partition: string, nowMs: number): boolean {
    const entry = this.failing.get(partition);
    return entry !== undefined && nowMs < entry.retryAtMs;
  }

  recordFailure(partition: string, nowMs: number): void {
    const failures = (this.failing.get(partition)?.failures ?? 0) + 1;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 30));
    this.failing.set(partition, { failures, retryAtMs: nowMs + delay });
  }

  recordSuccess(partition: string): void {
    this.failing.delete(partition);
  }
}
