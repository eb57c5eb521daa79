/** Queues `run` to be called later, after pending IO (the server passes setImmediate). */
export type ScheduleTurn = (run: () => void) => void;

interface Job {
  bytes: number;
  run: () => void;
}

interface TenantLine {
  jobs: Job[];
  /** Bytes this tenant may still spend before its next batch waits for another turn (deficit round robin). */
  credit: number;
}

/**
 * Turns at the event loop's CPU between tenants (issue #17.5, docs/adr/0100). Parsing, validating and encoding a
 * batch is synchronous: run as each body arrives, a neighbour's one-fact batch waits behind every abuser batch
 * whose body arrived in the same IO poll. Here each body read is queued in its tenant's line and the lines are
 * served in turns, one tenant per turn, with a yield to the event loop (`schedule`, setImmediate) between turns,
 * so pending IO (a neighbour's request being read, a group commit finishing) runs between any two tenants' work.
 * A turn may spend `turnBytes` of body (deficit round robin: credit carries over while the tenant's line is not
 * empty, so a batch larger than the budget runs once its tenant has waited enough turns, whole, since a body is
 * parsed in one go). A tenant with a small batch therefore waits for at most one turn of each other tenant with
 * work, whatever their batch sizes and connection counts. No IO, no clock: the caller measures nothing here.
 */
export class FairCpuTurns {
  private readonly lines = new Map<string, TenantLine>();
  /** Tenants with queued work, in turn order (the head is served next). */
  private readonly ring: string[] = [];
  private scheduled = false;

  constructor(
    readonly turnBytes: number,
    private readonly schedule: ScheduleTurn,
  ) {
    if (!Number.isSafeInteger(turnBytes) || turnBytes < 1)
      throw new RangeError(`turnBytes must be an integer of at least 1, got ${turnBytes}`);
  }

  /**
   * Runs `work` (synchronous CPU for `bytes` of the tenant's body) in one of the tenant's turns; settles with its
   * result or its error. Batches of one tenant run in the order they were queued.
   */
  run<T>(tenant: string, bytes: number, work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        try {
          resolve(work());
        } catch (error) {
          reject(error as Error);
        }
      };
      let line = this.lines.get(tenant);
      if (!line) {
        line = { jobs: [], credit: 0 };
        this.lines.set(tenant, line);
        this.ring.push(tenant);
      }
      line.jobs.push({ bytes: Math.max(0, bytes), run });
      this.wake();
    });
  }

  /** Tenants with work queued and the batches queued in all (for tests and the bench). */
  queued(): { tenants: number; batches: number } {
    let batches = 0;
    for (const line of this.lines.values()) batches += line.jobs.length;
    return { tenants: this.lines.size, batches };
  }

  private wake(): void {
    if (this.scheduled || this.ring.length === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.turn();
      this.wake();
    });
  }

  /** Serves the head tenant: its batches while its credit covers them, then it goes to the back of the ring. */
  private turn(): void {
    const tenant = this.ring.shift();
    if (tenant === undefined) return;
    const line = this.lines.get(tenant)!;
    line.credit += this.turnBytes;
    while (line.jobs.length > 0 && line.jobs[0]!.bytes <= line.credit) {
      const job = line.jobs.shift()!;
      line.credit -= job.bytes;
      job.run();
    }
    if (line.jobs.length === 0) this.lines.delete(tenant);
    else this.ring.push(tenant);
  }
}
