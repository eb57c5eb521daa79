/** Gives a turn back; call once. */
export type ReleaseTurn = () => void;

interface TenantQueue {
  active: number;
  waiting: (() => void)[];
}

/**
 * Per-tenant turns at the ingest server's CPU (issue #17 item 5): reading, parsing and validating a batch is
 * synchronous work on the one event loop, so a tenant with many connections would otherwise have that many
 * batches parsed back to back ahead of a neighbour's single fact. Each tenant may have at most `maxActive` batches
 * between its body read and its WAL append; its further requests wait, unread (their sockets are paused, so they
 * cost no CPU), in its own queue, and past `maxWaiting` are refused (429). A neighbour never waits in another
 * tenant's queue, so its batch waits behind at most `maxActive` of the abuser's. No IO: pure bookkeeping.
 */
export class TenantTurns {
  private readonly tenants = new Map<string, TenantQueue>();

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isSafeInteger(maxActive) || maxActive < 1)
      throw new RangeError(`maxActive must be an integer of at least 1, got ${maxActive}`);
    if (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)
      throw new RangeError(`maxWaiting must be a non-negative integer, got ${maxWaiting}`);
  }

  /**
   * A turn for `tenant`: resolves with its release once the tenant has fewer than `maxActive` turns out;
   * undefined (answer 429) when `maxWaiting` of its requests already wait.
   */
  take(tenant: string): Promise<ReleaseTurn> | undefined {
    const queue = this.queueOf(tenant);
    if (queue.active < this.maxActive) {
      queue.active += 1;
      return Promise.resolve(this.releaser(tenant, queue));
    }
    if (queue.waiting.length >= this.maxWaiting) return undefined;
    return new Promise((resolve) => {
      // The turn passes straight from a finished batch to the next waiter: active stays the same.
      queue.waiting.push(() => resolve(this.releaser(tenant, queue)));
    });
  }

  /** Turns out and requests waiting for one, per tenant (tenants with neither are not kept). */
  snapshot(tenant: string): { active: number; waiting: number } {
    const queue = this.tenants.get(tenant);
    return { active: queue?.active ?? 0, waiting: queue?.waiting.length ?? 0 };
  }

  private queueOf(tenant: string): TenantQueue {
    let queue = this.tenants.get(tenant);
    if (!queue) {
      queue = { active: 0, waiting: [] };
      this.tenants.set(tenant, queue);
    }
    return queue;
  }

  private releaser(tenant: string, queue: TenantQueue): ReleaseTurn {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.waiting.shift();
      if (next) return next();
      queue.active -= 1;
      // Only tenants with work are kept: memory follows the tenants sending now, not every tenant ever seen.
      if (queue.active === 0) this.tenants.delete(tenant);
    };
  }
}
